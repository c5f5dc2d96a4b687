package history

import (
	"bytes"
	"encoding/gob"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// encodeMessage encodes v alone, by a fresh encoder, as labrpc sends it.
func encodeMessage(t testing.TB, v any) []byte {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, gob.NewEncoder(&b).Encode(v))
	return b.Bytes()
}

// figure2Entry is a log entry by Figure 2's names.
type figure2Entry struct {
	Term    int
	Command any
}

// TestEntriesReadsEverySpelling checks that the receipts read an
// AppendEntries in each spelling the harness's own RPCs accept (package probe),
// with signed or unsigned indexes: a Raft whose fields are PrevIdx and Logs
// must not be taken for one that applies entries it never received.
func TestEntriesReadsEverySpelling(t *testing.T) {
	encode := func(v any) []byte { return encodeMessage(t, v) }
	type oddEntry struct {
		Term int
		Cmd  any
	}
	for name, c := range map[string]struct {
		msg       any
		wantFirst int
		want      []any
	}{
		"Figure 2's names": {struct {
			Term, PrevLogIndex int
			Entries            []figure2Entry
		}{3, 4, []figure2Entry{{3, 101}, {3, "x"}}}, 5, []any{101, "x"}},
		"PrevIdx, Logs, Cmd": {struct {
			Term, PrevIdx int
			Logs          []oddEntry
		}{3, 7, []oddEntry{{3, 202}}}, 8, []any{202}},
		"unsigned PrevIndex, LogEntries": {struct {
			Term, PrevIndex uint64
			LogEntries      []figure2Entry
		}{3, 2, []figure2Entry{{3, 303}}}, 3, []any{303}},
		"a heartbeat": {struct{ Term, PrevLogIndex int }{3, 9}, 10, nil},
	} {
		first, commands, ok := Entries(encode(c.msg))
		if assert.True(t, ok, name) {
			assert.Equal(t, c.wantFirst, first, name)
			assert.Equal(t, c.want, commands, name)
		}
	}
}
