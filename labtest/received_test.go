package labtest

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"raftlabs/labgob"
	"raftlabs/labrpc"
	"raftlabs/raftapi"
)

// appendEvent is an AppendEntries to server s1 carrying commands after
// prev, as the network reports it.
func appendEvent(t *testing.T, kind labrpc.EventKind, prev int, commands ...any) *rpcEvent {
	type entry struct {
		Term    int
		Command any
	}
	type args struct {
		Term         int
		PrevLogIndex int
		Entries      []entry
	}
	a := args{Term: 1, PrevLogIndex: prev}
	for _, cmd := range commands {
		a.Entries = append(a.Entries, entry{Term: 1, Command: cmd})
	}
	var buf bytes.Buffer
	require.NoError(t, labgob.NewEncoder(&buf).Encode(a))
	return &rpcEvent{Event: labrpc.Event{Kind: kind, End: "s0->s1#1", Server: "s1", Method: "Raft.AppendEntries", Args: buf.Bytes()}}
}

// A command applied must have reached its server: sent in an AppendEntries
// not lost before its handler ran, or given to Start on it.
func TestAppliedCommandMustHaveReachedItsServer(t *testing.T) {
	a := newApplyChecker(3)
	a.received = newReceipts(3)
	a.boot(0, 1)
	a.boot(1, 1)
	a.received.starting(0, 101)
	a.received.started(0, 101, 1, true)
	a.received.observe(appendEvent(t, labrpc.Sent, 0, 101, "x"))
	a.received.observe(appendEvent(t, labrpc.Sent, 2, 102))
	a.received.observe(appendEvent(t, labrpc.RequestDropped, 2, 102))
	a.received.observe(appendEvent(t, labrpc.Sent, 3, 104))

	a.receive(0, 1, raftapi.ApplyMsg{CommandValid: true, Command: 101, CommandIndex: 1})
	a.receive(1, 1, raftapi.ApplyMsg{CommandValid: true, Command: 101, CommandIndex: 1})
	a.receive(1, 1, raftapi.ApplyMsg{CommandValid: true, Command: "x", CommandIndex: 2})
	require.NoError(t, a.problem(), "s0 was given 101 at index 1 by Start; s1 was sent 101 and \"x\" at 1 and 2")

	a.receive(1, 1, raftapi.ApplyMsg{CommandValid: true, Command: 102, CommandIndex: 3})
	require.Error(t, a.problem(), "the only message carrying 102 to s1 was dropped")
	assert.Equal(t, "log replication: s1 applied 102 at index 3, but it never received that command at that index: "+
		"no AppendEntries sent to it carried it there, and no Start on it returned that index for it. A follower "+
		"learns each entry from its leader's AppendEntries (Figure 2, AppendEntries RPC, receiver implementation "+
		"4: \"Append any new entries not already in the log\"); the servers run in one process, but an entry taken "+
		"from another server's memory (a variable they share) was not replicated", a.problem().Error())

	b := newApplyChecker(3)
	b.received = a.received
	b.boot(1, 1)
	b.receive(1, 1, raftapi.ApplyMsg{CommandValid: true, Command: 101, CommandIndex: 1})
	b.receive(1, 1, raftapi.ApplyMsg{CommandValid: true, Command: "x", CommandIndex: 2})
	b.receive(1, 1, raftapi.ApplyMsg{CommandValid: true, Command: 104, CommandIndex: 3})
	require.Error(t, b.problem(), "104 was sent to s1 at index 4, not 3")
	assert.Contains(t, b.problem().Error(), "s1 applied 104 at index 3, but it never received that command at that index")

	// While a Start runs, its command counts at any index: the server may
	// commit it before the harness learns the index.
	c := newApplyChecker(1)
	c.received = newReceipts(1)
	c.boot(0, 1)
	c.received.starting(0, 7)
	c.receive(0, 1, raftapi.ApplyMsg{CommandValid: true, Command: 7, CommandIndex: 1})
	require.NoError(t, c.problem())
}

// A snapshot handed to the service must have reached its server: in an
// InstallSnapshot's Data, from its own service's Snapshot call, or from its
// Persister at boot.
func TestSnapshotMustHaveReachedItsServer(t *testing.T) {
	a := newApplyChecker(2)
	a.received = newReceipts(2)
	a.boot(0, 1)
	a.boot(1, 1)
	for k := 1; k <= 3; k++ {
		a.received.starting(0, 100+k)
		a.received.started(0, 100+k, k, true)
		a.receive(0, 1, raftapi.ApplyMsg{CommandValid: true, Command: 100 + k, CommandIndex: k})
	}
	data, err := a.makeSnapshot(0, 3)
	require.NoError(t, err)
	require.NoError(t, a.problem())

	a.receive(1, 1, raftapi.ApplyMsg{SnapshotValid: true, Snapshot: data, SnapshotTerm: 1, SnapshotIndex: 3})
	require.Error(t, a.problem(), "no InstallSnapshot carried it to s1")
	assert.Equal(t, "snapshot replication: s1 sent its service a snapshot through index 3 on applyCh (155 bytes), "+
		"but those bytes never reached it: no InstallSnapshot sent to it carried them in its Data, its Persister did "+
		"not hold them when it booted, and its service did not give them to Snapshot. A follower gets its leader's "+
		"snapshot in InstallSnapshot's data (Figure 13, receiver implementation: \"Save snapshot file\"); the "+
		"servers run in one process, but a snapshot taken from another server's memory (a variable they share) "+
		"was not sent", a.problem().Error())

	b := newApplyChecker(2)
	b.received = newReceipts(2)
	b.boot(1, 1)
	var args bytes.Buffer
	require.NoError(t, labgob.NewEncoder(&args).Encode(struct {
		Term, LastIncludedIndex int
		Data                    []byte
	}{1, 3, data}))
	b.received.observe(&rpcEvent{Event: labrpc.Event{Kind: labrpc.Sent, End: "s0->s1#1", Server: "s1",
		Method: "Raft.InstallSnapshot", Args: args.Bytes()}})
	b.made = a.made
	b.receive(1, 1, raftapi.ApplyMsg{SnapshotValid: true, Snapshot: data, SnapshotTerm: 1, SnapshotIndex: 3})
	assert.NoError(t, b.problem(), "an InstallSnapshot carried it to s1")
}
