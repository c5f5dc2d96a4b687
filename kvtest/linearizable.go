package kvtest

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/anishathalye/porcupine"

	"raftlabs/labtest"
)

// The linearizability check: porcupine, key by key, on the clerks' history.
// A history is linearizable if its operations can be put in one order that
// keeps every operation that returned before another was called ahead of
// it, and in which each Get returns what the Puts and Appends before it
// left (Herlihy and Wing; the paper's §8 asks this of a Raft service).

// CheckTimeout bounds the linearizability check of a test's whole history,
// on the real clock. A check that runs out fails the test.
const CheckTimeout = 10 * time.Second

// answer is an operation's output in porcupine's terms.
type answer struct {
	value    string // what a Get returned
	returned bool   // false: the operation had not returned when the test ended
	server   int    // the server that answered (record.server)
}

// keyModel is porcupine's model of one key: its state is the key's value.
var keyModel = porcupine.Model{
	Init: func() any { return "" },
	Step: func(state, input, output any) (bool, any) {
		value, op, out := state.(string), input.(Op), output.(answer)
		switch op.Kind {
		case Get:
			return !out.returned || out.value == value, value
		case Put:
			return true, op.Value
		default:
			return true, value + op.Value
		}
	},
	DescribeOperation: func(input, output any) string {
		op, out := input.(Op), output.(answer)
		r := record{op: op, Result: out.value, server: out.server}
		if out.returned {
			r.returnAt = 1
			return r.describe() + ", " + r.answeredBy()
		}
		return r.describe()
	},
	DescribeState: func(state any) string { return shortValue(state.(string)) },
}

// checkHistory checks that the history is linearizable, key by key. It runs
// after the test (labtest's AfterTest), on the real clock, and writes
// porcupine's picture of a key it fails beside the test's trace.
func (s *Service) checkHistory() error {
	return checkLinearizable(s.history.records(), CheckTimeout, s.FileBesideTrace("-linearizability.html"))
}

// checkLinearizable checks that records are linearizable, key by key,
// within timeout in all, and writes porcupine's picture of the first key
// that is not to the file picture.
func checkLinearizable(records []record, timeout time.Duration, picture string) error {
	if len(records) == 0 {
		return nil
	}
	byKey := map[string][]porcupine.Operation{}
	for _, r := range records {
		ret, out := int64(math.MaxInt64), answer{}
		if r.returnAt != 0 {
			ret, out = int64(r.returnAt), answer{value: r.Result, returned: true, server: r.server}
		}
		byKey[r.op.Key] = append(byKey[r.op.Key], porcupine.Operation{
			ClientId: r.clerk, Input: r.op, Call: int64(r.callAt), Output: out, Return: ret,
		})
	}
	keys := make([]string, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	start := time.Now()
	for _, key := range keys {
		left := timeout - time.Since(start)
		if left <= 0 {
			left = time.Nanosecond
		}
		ops := byKey[key]
		result, info := porcupine.CheckOperationsVerbose(keyModel, ops, left)
		switch result {
		case porcupine.Unknown:
			return fmt.Errorf("the linearizability check timed out after %v on key %q (%d operations on it, %d in all): "+
				"the history could not be checked, so the test cannot pass; a service whose operations take long "+
				"to return leaves many of them overlapping, which is what makes a history hard to check",
				timeout, key, len(ops), len(records))
		case porcupine.Illegal:
			if err := os.MkdirAll(filepath.Dir(picture), 0o755); err != nil {
				picture = "(not written: " + err.Error() + ")"
			} else if err := porcupine.VisualizePath(keyModel, info, picture); err != nil {
				picture = "(not written: " + err.Error() + ")"
			}
			return notLinearizable(key, ops, info, picture)
		}
	}
	fmt.Printf("  linearizability: %d operations on %d keys checked in %v\n",
		len(records), len(keys), time.Since(start).Round(time.Millisecond))
	return nil
}

// opsShown is how many operations of the longest order a verdict shows.
const opsShown = 4

// notLinearizable is the verdict on the operations ops on key, which
// porcupine found no order for: the longest order it found, and the
// operations that could have come next, none of which fits.
func notLinearizable(key string, ops []porcupine.Operation, info porcupine.LinearizationInfo, picture string) error {
	var longest []porcupine.Operation
	for _, partition := range info.PartialLinearizationsOperations() {
		for _, order := range partition {
			if len(order) > len(longest) {
				longest = order
			}
		}
	}
	placed := map[porcupine.Operation]bool{}
	value := ""
	for _, op := range longest {
		placed[op] = true
		_, next := keyModel.Step(value, op.Input, op.Output)
		value = next.(string)
	}
	var rest []porcupine.Operation
	firstReturn := int64(math.MaxInt64)
	for _, op := range ops {
		if !placed[op] {
			rest = append(rest, op)
			firstReturn = min(firstReturn, op.Return)
		}
	}
	var next []porcupine.Operation // those that may come next: called before any other returned
	for _, op := range rest {
		if op.Call <= firstReturn {
			next = append(next, op)
		}
	}

	var b strings.Builder
	fmt.Fprintf(&b, "the operations on key %q cannot be put in one order that agrees with their times and with "+
		"what each Get returned (%d operations on the key)\n", key, len(ops))
	if len(longest) == 0 {
		b.WriteString("  no operation can come first:\n")
	} else {
		fmt.Fprintf(&b, "  the longest order that fits has %d operations, and ends with:\n", len(longest))
		for _, op := range longest[max(0, len(longest)-opsShown):] {
			b.WriteString("    " + describeOp(op) + "\n")
		}
		fmt.Fprintf(&b, "  after it the value is %s, and none of the operations that could come next fits:\n", shortValue(value))
	}
	for _, op := range next {
		b.WriteString("    " + describeOp(op) + "\n")
		if retried := retriedWrite(op, ops); retried != "" {
			b.WriteString("      " + retried + "\n")
		}
	}
	b.WriteString("  a Get must return what the writes ordered before it left; a write that returned must have " +
		"taken effect, once (a retried Append applied twice, a Get answered by a server that no longer leads, " +
		"or state lost in a snapshot or a restart all show here); the server named beside each operation is the " +
		"one whose reply the clerk took: look at its lane in the trace around that time\n")
	fmt.Fprintf(&b, "  picture: %s (porcupine's view of the key's history: open it in a browser)", picture)
	return &labtest.Failure{Property: "linearizability", Evidence: b.String()}
}

// retriedWrite explains get, an operation that nothing fits, when it is a
// Get whose value shows a retried write applied twice: an Append held
// twice, a Put that took effect again after a later Append (putAgain), or
// an Append that took effect again after a later Put (appendAfterPut). It
// returns the line that says which, or "".
func retriedWrite(get porcupine.Operation, ops []porcupine.Operation) string {
	in, out := get.Input.(Op), get.Output.(answer)
	if in.Kind != Get || !out.returned {
		return ""
	}
	for _, op := range ops {
		if w := op.Input.(Op); w.Kind == Append && w.Value != "" && strings.Count(out.value, w.Value) > 1 {
			return fmt.Sprintf("it holds %q twice, which one Append of the history wrote: a retried Append applied twice", w.Value)
		}
	}
	var puts []porcupine.Operation // the Puts whose value get's value starts with
	for _, put := range ops {
		if p := put.Input.(Op); p.Kind == Put && p.Value != "" && strings.HasPrefix(out.value, p.Value) {
			puts = append(puts, put)
		}
	}
	for _, put := range puts {
		if again := putAgain(get, put, ops); again != "" {
			return again
		}
	}
	for _, put := range puts {
		if again := appendAfterPut(get, put, ops); again != "" {
			return again
		}
	}
	return ""
}

// putAgain explains get, a Get whose value starts with what put wrote,
// when an Append that came after that Put, and returned before get was
// called, is missing from it, though a later Append (sent after that one
// returned) is there: the Put took effect again after that Append, as a
// retried Put applied twice does. An Append came after the Put if it began
// after the Put returned, or if an earlier Get saw its value after the
// Put's. It returns "" when put does not explain get so.
func putAgain(get, put porcupine.Operation, ops []porcupine.Operation) string {
	out, p := get.Output.(answer), put.Input.(Op)
	for _, app := range ops {
		a := app.Input.(Op)
		if a.Kind != Append || a.Value == "" || !app.Output.(answer).returned ||
			app.Return >= get.Call || strings.Contains(out.value, a.Value) {
			continue
		}
		// A later write it holds shows that the value is not merely an
		// old one, such as a stale leader would answer from.
		later := ""
		for _, b := range ops {
			if w := b.Input.(Op); w.Kind == Append && w.Value != "" && b.Call > app.Return &&
				strings.Contains(out.value[len(p.Value):], w.Value) {
				later = w.Value
				break
			}
		}
		if later == "" {
			continue
		}
		if put.Output.(answer).returned && app.Call > put.Return {
			return putAgainWords(p, put, a, app, later, "began after the Put returned")
		}
		for _, seen := range ops {
			s, v := seen.Input.(Op), seen.Output.(answer)
			if s.Kind == Get && v.returned && seen.Return < get.Call &&
				strings.HasPrefix(v.value, p.Value) && strings.Contains(v.value[len(p.Value):], a.Value) {
				return putAgainWords(p, put, a, app, later,
					fmt.Sprintf("c%d's Get saw it after the Put's value, returning %.2fs", seen.ClientId,
						time.Duration(seen.Return).Seconds()))
			}
		}
	}
	return ""
}

// appendAfterPut explains get, a Get whose value starts with what put
// wrote, when one of the values after it was written by an Append that
// came before the Put (it returned before the Put was called, or a Get saw
// its value without the Put's): the Put must have wiped it, so the Append
// took effect again after the Put, as a retried Append applied twice does.
// It returns "" when put does not explain get so.
func appendAfterPut(get, put porcupine.Operation, ops []porcupine.Operation) string {
	out, p := get.Output.(answer), put.Input.(Op)
	for _, app := range ops {
		a := app.Input.(Op)
		if a.Kind != Append || a.Value == "" || !strings.Contains(out.value[len(p.Value):], a.Value) {
			continue
		}
		if app.Output.(answer).returned && app.Return < put.Call {
			return appendAgainWords(p, put, a, app, fmt.Sprintf("it returned at %.2fs, before that Put was called",
				time.Duration(app.Return).Seconds()))
		}
		for _, seen := range ops {
			s, v := seen.Input.(Op), seen.Output.(answer)
			if s.Kind == Get && v.returned && strings.Contains(v.value, a.Value) && !strings.Contains(v.value, p.Value) {
				return appendAgainWords(p, put, a, app, fmt.Sprintf("c%d's Get saw it without the Put's value, "+
					"returning %.2fs", seen.ClientId, time.Duration(seen.Return).Seconds()))
			}
		}
	}
	return ""
}

// appendAgainWords says what appendAfterPut found: the Put, and the Append
// that came before it (and why) whose value the Get holds after the Put's.
func appendAgainWords(p Op, put porcupine.Operation, a Op, app porcupine.Operation, before string) string {
	return fmt.Sprintf("it holds %q after %q (c%d's Put, called %.2fs), but c%d's Append of %q came before that Put "+
		"(%s): the Append took effect again after the Put, as a retried Append applied twice does",
		a.Value, p.Value, put.ClientId, time.Duration(put.Call).Seconds(), app.ClientId, a.Value, before)
}

// putAgainWords says what putAgain found: the Put, the later Append the
// value holds, and the Append (and why it came after the Put) it lacks.
func putAgainWords(p Op, put porcupine.Operation, a Op, app porcupine.Operation, later, after string) string {
	return fmt.Sprintf("it starts with %q (c%d's Put) and holds %q, but lacks %q, which c%d appended after that Put "+
		"(%s) and which returned at %.2fs, before %q was sent: the Put took effect again after the Append, "+
		"as a retried Put applied twice does", p.Value, put.ClientId, later, a.Value, app.ClientId, after,
		time.Duration(app.Return).Seconds(), later)
}

// describeOp says who did what when, and which server answered, e.g.
// `c2 Get("k1") -> "x"  called 3.41s, returned 3.52s, answered by s3`.
func describeOp(op porcupine.Operation) string {
	in, out := op.Input.(Op), op.Output.(answer)
	r := record{op: in, Result: out.value, server: out.server}
	ret := "no return before the test ended"
	if out.returned {
		r.returnAt = time.Duration(op.Return)
		ret = fmt.Sprintf("returned %.2fs, %s", time.Duration(op.Return).Seconds(), r.answeredBy())
	}
	return fmt.Sprintf("c%d %s  called %.2fs, %s", op.ClientId, r.describe(), time.Duration(op.Call).Seconds(), ret)
}
