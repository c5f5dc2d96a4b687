package persisted

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"raftlabs/labgob"
)

// gobBytes finds a command in whatever labgob encoded it in: a log of
// entries holding it in an interface, or a snapshot's list of commands.
func TestGobBytesFindsACommandWhereverItSits(t *testing.T) {
	type entry struct {
		Term    int
		Command any
	}
	for _, cmd := range []any{0, 11, -5, 1_000_123, 987_654_321, "a command", int64(1) << 40} {
		var state bytes.Buffer
		enc := labgob.NewEncoder(&state)
		require.NoError(t, enc.Encode(7))
		require.NoError(t, enc.Encode([]entry{{1, "other"}, {2, cmd}}))
		needle, ok := gobBytes(cmd)
		require.True(t, ok)
		assert.True(t, bytes.Contains(state.Bytes(), needle), "%#v in a log", cmd)

		var snapshot bytes.Buffer
		require.NoError(t, labgob.NewEncoder(&snapshot).Encode(struct{ Commands []any }{[]any{cmd}}))
		assert.True(t, bytes.Contains(snapshot.Bytes(), needle), "%#v in a snapshot", cmd)
	}
	_, ok := gobBytes(struct{}{})
	assert.False(t, ok, "only integers and strings have bytes of their own")
}

// The words of the three persistence verdicts.
func TestPersistenceVerdicts(t *testing.T) {
	assert.Equal(t, "persistent state: s1 crashed at 2.00s having applied 60692566 at index 4, but what it had "+
		"saved (10 bytes of Raft state, a snapshot of 0 bytes) does not hold that command: a server saves each log "+
		"entry before it answers the AppendEntries that carried it (Figure 2: the log is persistent state, "+
		"\"updated on stable storage before responding to RPCs\"), and a leader its own before it counts it "+
		"committed. The servers run in one process, but a log kept in a variable that outlives Kill was not "+
		"persisted", Unpersisted(1, "crashed", 4, 60692566, 10, 0, 2000*time.Millisecond, "").Error())

	// With how the entry came to be unsaved, as a line of its own.
	how := unsavedReply(1, "s0", 3, 4, 60692566, 1500*time.Millisecond)
	assert.Equal(t, "how it happened: s1 answered success to the AppendEntries of term 3 from s0 that carried "+
		"60692566 at index 4, and its Persister did not hold that entry when the reply reached s0 at 1.50s: a "+
		"follower saves the entries it appends before it replies", how)
	assert.True(t, strings.HasSuffix(Unpersisted(1, "crashed", 4, 60692566, 10, 0, 2000*time.Millisecond, how).Error(),
		"was not persisted\n"+how))
	assert.Equal(t, "how it happened: s2's Start put 11 at index 1 as the leader of term 1 at 0.30s, and its "+
		"Persister did not hold that entry when Start returned: a leader saves the entry Start appends before it "+
		"sends it or counts it toward a commit", unsavedStart(2, 11, 1, 1, 300*time.Millisecond))

	assert.Equal(t, "persistent state: s2 was still running at the end of the test at 6.50s having installed its "+
		"leader's snapshot through index 30 (sent to its service on applyCh), but what it had saved (120 bytes of "+
		"Raft state, a snapshot of 210 bytes) does not hold 71843, that snapshot's command at index 27: a follower "+
		"saves the snapshot an InstallSnapshot brings before it answers, with the Raft state that now starts after "+
		"it (Figure 13, InstallSnapshot receiver implementation 5: \"Save snapshot file\"). "+
		"Persister.Save(state, snapshot) replaces both: a persist that passes the Persister's old snapshot, or nil, "+
		"loses the new one", UnsavedSnapshot(2, "was still running at the end of the test", 30, 27, 71843, 120, 210, 6500*time.Millisecond).Error())

	assert.NoError(t, Forgotten(2, 0, 11, 500*time.Millisecond), "a server with an empty Persister starts afresh")
	assert.NoError(t, Forgotten(2, 1, 11, 500*time.Millisecond))
	assert.Equal(t, "persistent state: s2, booted with an empty Persister (as if its disk were lost) before its "+
		"restart, reported term 11 at once: it knew the term it was in when it crashed at 0.50s (term 11) without "+
		"its Persister. A server's state across a crash must come from its Persister alone (Figure 2: persistent "+
		"state, \"updated on stable storage before responding to RPCs\"); the servers run in one process, but "+
		"state kept in a variable that outlives Kill was not persisted", Forgotten(2, 11, 11, 500*time.Millisecond).Error())
}
