package stacks

import (
	"bytes"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"time"

	"raftlabs/labtest/internal/words"
)

// A Goroutine is one entry of a goroutine dump.
type Goroutine struct {
	ID      int
	Status  string // "running", "sync.Mutex.Lock", "sleep", "chan send", ...
	Durable bool   // blocked in a way that lets a synctest bubble's clock advance
	Bubble  int    // the synctest bubble it belongs to, 0 if none
	Stack   string // the whole entry, its header line included
}

// CanRun reports whether the goroutine was running, or ready to run, when
// the dump was taken: not waiting for anything.
func (g Goroutine) CanRun() bool { return g.Status == "running" || g.Status == "runnable" }

// All returns every goroutine of the process.
func All() []Goroutine {
	return Parse(dump())
}

// Self returns the calling goroutine's ID and the synctest bubble it
// belongs to (0 if none), read from the first line of its dump alone: the
// harness asks at every applyCh reader and helper it starts, and a whole
// dump each time would be much of what a short test allocates.
func Self() (id, bubble int) {
	var buf [128]byte // "goroutine 123 [running, synctest bubble 4]:" and a little of the next line
	gs := Parse(buf[:runtime.Stack(buf[:], false)])
	if len(gs) == 0 {
		return 0, 0
	}
	return gs[0].ID, gs[0].Bubble
}

// dump returns runtime.Stack's dump of every goroutine, whole. It starts
// with a buffer that holds a test's usual dump and doubles it until the
// dump fits: a buffer taken at every call and sized for the worst case
// would be most of what the harness allocates in a short test.
func dump() []byte {
	buf := make([]byte, 16<<10)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return buf[:n]
		}
		buf = make([]byte, 2*len(buf))
	}
}

// Parse parses a dump's entries, like
//
//	goroutine 10 [sync.Mutex.Lock, synctest bubble 1]:
//	main.f()
//		/x/main.go:7 +0x2d
func Parse(dump []byte) []Goroutine {
	var gs []Goroutine
	for _, entry := range bytes.Split(dump, []byte("\n\n")) {
		text := strings.TrimSpace(string(entry))
		header, _, _ := strings.Cut(text, "\n")
		rest, ok := strings.CutPrefix(header, "goroutine ")
		if !ok {
			continue
		}
		idText, rest, _ := strings.Cut(rest, " [")
		id, err := strconv.Atoi(idText)
		if err != nil {
			continue
		}
		g := Goroutine{ID: id, Stack: text}
		attrs := strings.Split(strings.TrimSuffix(rest, "]:"), ", ")
		g.Status = attrs[0]
		if s, ok := strings.CutSuffix(g.Status, " (durable)"); ok {
			g.Status, g.Durable = s, true
		}
		for _, a := range attrs[1:] {
			if b, ok := strings.CutPrefix(a, "synctest bubble "); ok {
				g.Bubble, _ = strconv.Atoi(b)
			}
		}
		gs = append(gs, g)
	}
	return gs
}

// LateCalls splits goroutines into those waiting in a labrpc Call for an
// answer and the others.
func LateCalls(gs []Goroutine) (calling, others []Goroutine) {
	for _, g := range gs {
		if g.Calls("raftlabs/labrpc.(*Network).call(") {
			calling = append(calling, g)
		} else {
			others = append(others, g)
		}
	}
	return calling, others
}

// DescribeLeaks says which goroutines were still running waited after
// every server of a test was killed, with their stacks: the leak check's
// verdict (or warning).
func DescribeLeaks(leaks []Goroutine, waited time.Duration) string {
	var b strings.Builder
	what := fmt.Sprintf("%d goroutines", len(leaks))
	if len(leaks) == 1 {
		what = "1 goroutine"
	}
	fmt.Fprintf(&b, "goroutine leak: %s still running %v after every server was killed "+
		"(a Raft's goroutines must return once killed() is true; Kill must wake any that wait on a sync.Cond; "+
		"a goroutine whose RPC returns after Kill may act on it once, but must not go on sending):\n",
		what, waited)
	const shown = 5
	for k, g := range leaks {
		if k == shown {
			fmt.Fprintf(&b, "    ... and %d more\n", len(leaks)-shown)
			break
		}
		b.WriteString(words.Indent(g.Stack, "    "))
		b.WriteString("\n")
	}
	return b.String()
}
