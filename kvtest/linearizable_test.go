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

// answeredBy returns r answered by server.
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
	err := checkLinearizable(records, time.Second, filepath.Join(t.TempDir(), "x.html"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `c1 Get("k") -> "b"  called 0.02s, returned 0.03s, answered by no server (no reply reached the clerk)`)
	assert.Contains(t, err.Error(), `c2 Append("k", "c")  called 0.03s, no return before the test ended`+"\n")
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
