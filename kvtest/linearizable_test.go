package kvtest

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// op is a record for the tests: clerk c called o at call (in ms) and it
// returned at ret (0: never), a Get with result, answered by no server
// (answeredBy sets one).
func op(c int, o Op, call, ret int, result string) record {
	r := record{clerk: c, op: o, Result: result, callAt: time.Duration(call) * time.Millisecond, server: -1}
	if ret > 0 {
		r.returnAt = time.Duration(ret) * time.Millisecond
	}
	return r
}

func TestLinearizableHistoryPasses(t *testing.T) {
	records := []record{
		op(0, Op{Kind: Put, Key: "a", Value: "x"}, 0, 10, ""),
		op(1, Op{Kind: Append, Key: "a", Value: "y"}, 5, 20, ""), // overlaps the Get: either order fits
		op(2, Op{Kind: Get, Key: "a"}, 12, 30, "x"),
		op(0, Op{Kind: Get, Key: "b"}, 12, 30, ""),
		op(2, Op{Kind: Append, Key: "a", Value: "z"}, 40, 0, ""), // never returned: may or may not have happened
		op(1, Op{Kind: Get, Key: "a"}, 50, 60, "xy"),
	}
	assert.NoError(t, checkLinearizable(records, time.Second, filepath.Join(t.TempDir(), "x.html")))
}

// A duplicate Append applied twice: the verdict names the key, the order
// that fits, and the Get that nothing fits, with clerks and times, and
// links porcupine's picture, which is written.
func TestDuplicateAppendVerdict(t *testing.T) {
	records := []record{
		answeredBy(0, op(0, Op{Kind: Put, Key: "k1", Value: "a"}, 0, 10, "")),
		answeredBy(0, op(1, Op{Kind: Append, Key: "k1", Value: "b"}, 20, 30, "")),
		answeredBy(3, op(2, Op{Kind: Get, Key: "k1"}, 40, 50, "abb")),
	}
	picture := filepath.Join(t.TempDir(), "traces", "TestX-seed1-linearizability.html")
	err := checkLinearizable(records, time.Second, picture)
	require.Error(t, err)
	msg := err.Error()
	for _, want := range []string{
		`linearizability: the operations on key "k1" cannot be put in one order that agrees with their times`,
		"the longest order that fits has 2 operations, and ends with:",
		`c1 Append("k1", "b")  called 0.02s, returned 0.03s, answered by s0`,
		`after it the value is "ab", and none of the operations that could come next fits:`,
		`c2 Get("k1") -> "abb"  called 0.04s, returned 0.05s, answered by s3`,
		"the server named beside each operation is the one whose reply the clerk took",
		`it holds "b" twice, which one Append of the history wrote: a retried Append applied twice`,
		"picture: " + picture,
	} {
		assert.Contains(t, msg, want)
	}
	info, err := os.Stat(picture)
	require.NoError(t, err, "porcupine's picture is written")
	assert.Positive(t, info.Size())
}

// A duplicate Put applied again after a later Append: the Get that
// nothing fits starts with the Put's value and lacks the Append's, and the
// verdict says so, with both writes' clerks and times.
func TestDuplicatePutVerdict(t *testing.T) {
	records := []record{
		answeredBy(0, op(0, Op{Kind: Put, Key: "k0", Value: "p;"}, 0, 10, "")),
		answeredBy(0, op(1, Op{Kind: Append, Key: "k0", Value: "a;"}, 20, 30, "")),
		answeredBy(1, op(2, Op{Kind: Get, Key: "k0"}, 40, 50, "p;a;")),
		answeredBy(1, op(1, Op{Kind: Append, Key: "k0", Value: "b;"}, 60, 70, "")),
		answeredBy(1, op(2, Op{Kind: Get, Key: "k0"}, 80, 90, "p;b;")),
	}
	msg := verdictOf(t, records)
	assert.Contains(t, msg, `c2 Get("k0") -> "p;b;"  called 0.08s, returned 0.09s, answered by s1`)
	assert.Contains(t, msg, `it starts with "p;" (c0's Put) and holds "b;", but lacks "a;", which c1 appended after that Put `+
		`(began after the Put returned) and which returned at 0.03s, before "b;" was sent: the Put took effect again after the Append, `+
		`as a retried Put applied twice does`)
	assert.NotContains(t, msg, "twice, which one Append of the history wrote")
}

// The same when the Put and the Append overlapped in time: a Get that saw
// the Append's value after the Put's shows which came first.
func TestDuplicatePutVerdictSeenByAGet(t *testing.T) {
	records := []record{
		answeredBy(0, op(0, Op{Kind: Put, Key: "k0", Value: "p;"}, 0, 40, "")),
		answeredBy(0, op(1, Op{Kind: Append, Key: "k0", Value: "a;"}, 20, 30, "")),
		answeredBy(1, op(2, Op{Kind: Get, Key: "k0"}, 50, 60, "p;a;")),
		answeredBy(1, op(1, Op{Kind: Append, Key: "k0", Value: "b;"}, 65, 70, "")),
		answeredBy(1, op(2, Op{Kind: Get, Key: "k0"}, 80, 90, "p;b;")),
	}
	msg := verdictOf(t, records)
	assert.Contains(t, msg, `it starts with "p;" (c0's Put) and holds "b;", but lacks "a;", which c1 appended after that Put `+
		`(c2's Get saw it after the Put's value, returning 0.06s) and which returned at 0.03s, before "b;" was sent: the Put took effect again`)
}

// A stale answer is not taken for a Put applied again: a Get that returns
// an old value (the Put's, without the Append that followed it, and with
// nothing newer) gets no such line.
func TestStaleGetIsNotAPutAgain(t *testing.T) {
	records := []record{
		answeredBy(0, op(0, Op{Kind: Put, Key: "k0", Value: "p;"}, 0, 10, "")),
		answeredBy(0, op(1, Op{Kind: Append, Key: "k0", Value: "a;"}, 20, 30, "")),
		answeredBy(1, op(2, Op{Kind: Get, Key: "k0"}, 40, 50, "p;")),
	}
	msg := verdictOf(t, records)
	assert.NotContains(t, msg, "took effect again")
}

// An Append applied again after a Put that followed it: the Get holds the
// Append's value after the Put's, though the Append returned before the
// Put was called.
func TestAppendAfterPutVerdict(t *testing.T) {
	records := []record{
		answeredBy(0, op(1, Op{Kind: Append, Key: "k0", Value: "a;"}, 0, 10, "")),
		answeredBy(0, op(0, Op{Kind: Put, Key: "k0", Value: "p;"}, 20, 30, "")),
		answeredBy(1, op(2, Op{Kind: Get, Key: "k0"}, 40, 50, "p;a;")),
	}
	msg := verdictOf(t, records)
	assert.Contains(t, msg, `it holds "a;" after "p;" (c0's Put, called 0.02s), but c1's Append of "a;" came before that Put `+
		`(it returned at 0.01s, before that Put was called): the Append took effect again after the Put, as a retried Append applied twice does`)
}

// The same when the Append and the Put overlapped in time: a Get that saw
// the Append's value without the Put's shows which came first.
func TestAppendAfterPutVerdictSeenByAGet(t *testing.T) {
	records := []record{
		answeredBy(0, op(1, Op{Kind: Append, Key: "k0", Value: "a;"}, 0, 40, "")),
		answeredBy(0, op(3, Op{Kind: Get, Key: "k0"}, 5, 25, "a;")),
		answeredBy(0, op(0, Op{Kind: Put, Key: "k0", Value: "p;"}, 20, 30, "")),
		answeredBy(1, op(2, Op{Kind: Get, Key: "k0"}, 50, 60, "p;a;")),
	}
	msg := verdictOf(t, records)
	assert.Contains(t, msg, `but c1's Append of "a;" came before that Put (c3's Get saw it without the Put's value, `+
		`returning 0.03s): the Append took effect again after the Put`)
}

// answeredBy returns r answered by server.
// verdictOf checks records, which must not be linearizable, and returns
// the verdict.
func verdictOf(t *testing.T, records []record) string {
	t.Helper()
	err := checkLinearizable(records, time.Second, filepath.Join(t.TempDir(), "x.html"))
	require.Error(t, err)
	return err.Error()
}

func answeredBy(server int, r record) record {
	r.server = server
	return r
}

// An operation that returned without any server's reply reaching its
// clerk says so; one that has not returned names no server.
func TestVerdictSaysWhenNoServerAnswered(t *testing.T) {
	records := []record{
		op(0, Op{Kind: Put, Key: "k", Value: "a"}, 0, 10, ""),
		op(1, Op{Kind: Get, Key: "k"}, 20, 30, "b"),
		op(2, Op{Kind: Append, Key: "k", Value: "c"}, 25, 0, ""),
	}
	msg := verdictOf(t, records)
	assert.Contains(t, msg, `c1 Get("k") -> "b"  called 0.02s, returned 0.03s, answered by no server (no reply reached the clerk)`)
	assert.Contains(t, msg, `c2 Append("k", "c")  called 0.03s, no return before the test ended`+"\n")
}

// A check that runs out of time fails, and says so.
func TestCheckTimeoutFailsLoudly(t *testing.T) {
	var records []record
	for k := range 400 { // hundreds of overlapping Appends: far too many orders to try in a nanosecond
		records = append(records, op(k%40, Op{Kind: Append, Key: "a", Value: string(rune('a' + k%26))}, k, 10000+k, ""))
	}
	records = append(records, op(41, Op{Kind: Get, Key: "a"}, 20000, 20001, "?"))
	err := checkLinearizable(records, time.Nanosecond, filepath.Join(t.TempDir(), "x.html"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `the linearizability check timed out after 1ns on key "a" (401 operations on it, 401 in all)`)
	assert.Contains(t, err.Error(), "the test cannot pass")
}
