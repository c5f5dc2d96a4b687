package labtest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"raftlabs/raftapi"
)

// The service's checks, fed the messages a broken lab 4 Raft sends.

// appliedThrough has servers apply commands 101, 102, ... through index.
func appliedThrough(a *applyChecker, index int, servers ...int) {
	for _, i := range servers {
		for k := 1; k <= index; k++ {
			a.receive(i, 1, command(k, 100+k))
		}
	}
}

func snapshotMsg(index, term int, data []byte) raftapi.ApplyMsg {
	return raftapi.ApplyMsg{SnapshotValid: true, SnapshotIndex: index, SnapshotTerm: term, Snapshot: data}
}

func TestServiceAcceptsAnInstalledSnapshot(t *testing.T) {
	a := newBootedChecker(2)
	appliedThrough(a, 12, 0)
	data, err := a.makeSnapshot(0, 10)
	require.NoError(t, err)

	// s1 gets s0's snapshot from the leader, then the entries after it.
	a.receive(1, 1, snapshotMsg(10, 1, data))
	assert.True(t, a.receive(1, 1, command(11, 111)))
	assert.NoError(t, a.problem())
	cmd, ok := a.applied(1, 7)
	assert.True(t, ok, "the snapshot's commands count as applied")
	assert.Equal(t, 107, cmd)
}

func TestServiceSnapshotViolations(t *testing.T) {
	cases := map[string]struct {
		feed func(a *applyChecker, snap10 []byte)
		want string
	}{
		"an old snapshot after later entries": {
			feed: func(a *applyChecker, snap10 []byte) {
				appliedThrough(a, 12, 1)
				a.receive(1, 1, snapshotMsg(10, 1, snap10))
			},
			want: "s1 sent a snapshot through index 10 on applyCh after it had applied index 12: the service would go back",
		},
		"SnapshotIndex not the snapshot's": {
			feed: func(a *applyChecker, snap10 []byte) { a.receive(1, 1, snapshotMsg(11, 1, snap10)) },
			want: "s1 sent a snapshot on applyCh with SnapshotIndex 11, but the snapshot holds the service's state through index 10",
		},
		"two terms for one index": {
			feed: func(a *applyChecker, snap10 []byte) {
				a.receive(1, 1, snapshotMsg(10, 2, snap10))
				a.receive(2, 1, snapshotMsg(10, 3, snap10))
			},
			want: "s2 sent a snapshot through index 10 with SnapshotTerm 3, but s1's snapshot through the same index had term 2",
		},
		"no term": {
			feed: func(a *applyChecker, snap10 []byte) { a.receive(1, 1, snapshotMsg(10, 0, snap10)) },
			want: "with SnapshotTerm 0: SnapshotTerm is the term of the entry at SnapshotIndex",
		},
		"bytes the service never made": {
			feed: func(a *applyChecker, _ []byte) { a.receive(1, 1, snapshotMsg(10, 1, []byte("raft state"))) },
			want: "s1 handed its service a snapshot on applyCh that the service never made (10 bytes;",
		},
		"an entry applied again after the snapshot": {
			feed: func(a *applyChecker, snap10 []byte) {
				a.receive(1, 1, snapshotMsg(10, 1, snap10))
				a.receive(1, 1, command(10, 110))
			},
			want: "s1 applied index 10 again after index 10",
		},
		"an entry skipped after the snapshot": {
			feed: func(a *applyChecker, snap10 []byte) {
				a.receive(1, 1, snapshotMsg(10, 1, snap10))
				a.receive(1, 1, command(12, 112))
			},
			want: "s1 applied index 12 right after index 10 (the last index of its snapshot)",
		},
		"a snapshot that disagrees with what was applied": {
			feed: func(a *applyChecker, snap10 []byte) {
				a.logs[0] = map[int]any{} // as if s0 had made the snapshot and gone
				a.receive(2, 1, command(1, 999))
				a.receive(1, 1, snapshotMsg(10, 1, snap10))
			},
			want: "state machine safety: index 1 was applied as 999 on s2 but is 101 in the snapshot of s1",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			a := newBootedChecker(3)
			appliedThrough(a, 10, 0)
			snap10, err := a.makeSnapshot(0, 10)
			require.NoError(t, err)
			tc.feed(a, snap10)
			assert.ErrorContains(t, a.problem(), tc.want)
		})
	}
}

func TestServiceRestart(t *testing.T) {
	a := newBootedChecker(1)
	appliedThrough(a, 12, 0)
	snap, err := a.makeSnapshot(0, 10)
	require.NoError(t, err)
	a.killed(0, 1)

	// Restarted from the snapshot, the server goes on at index 11.
	a.boot(0, 2)
	a.restore(0, 2, snap)
	a.receive(0, 2, command(11, 111))
	assert.NoError(t, a.problem())

	// Or it sends the snapshot first: also fine.
	a.killed(0, 2)
	a.boot(0, 3)
	a.restore(0, 3, snap)
	a.receive(0, 3, snapshotMsg(10, 1, snap))
	a.receive(0, 3, command(11, 111))
	assert.NoError(t, a.problem())

	// But not an entry the snapshot covers.
	a.killed(0, 3)
	a.boot(0, 4)
	a.restore(0, 4, snap)
	a.receive(0, 4, command(1, 101))
	assert.ErrorContains(t, a.problem(), "s0 applied index 1 as its first message after a restart, but the snapshot "+
		"it restarted with already covers the log through index 10: at boot, a server's lastApplied (and "+
		"commitIndex) start at its snapshot's last included index")
}

func TestServiceRestartWithACorruptSnapshot(t *testing.T) {
	// The Raft saved something else where the snapshot goes.
	a := newBootedChecker(1)
	a.restore(0, 1, []byte("raft state, not a snapshot"))
	assert.ErrorContains(t, a.problem(), "s0 handed its service a snapshot at restart that the service never made")
	assert.ErrorContains(t, a.problem(), "check the order of Save's arguments")

	// The service's own snapshot that it cannot read is the harness's fault.
	a = newBootedChecker(1)
	appliedThrough(a, 10, 0)
	snap, err := a.makeSnapshot(0, 10)
	require.NoError(t, err)
	corrupt := append([]byte(nil), snap...)
	corrupt = corrupt[:len(corrupt)-3]
	a.made[snapshotKey(corrupt)] = 10
	a.restore(0, 1, corrupt)
	assert.ErrorContains(t, a.problem(), "the test's service cannot read the snapshot through index 10 that it made itself")
	assert.ErrorContains(t, a.problem(), "a bug in the course's harness, not in your Raft")
}

func TestRaftStateSizes(t *testing.T) {
	assert.NoError(t, raftStateSizes([]int{300, 1999, 2000}, 40))
	assert.EqualError(t, raftStateSizes([]int{300, 5120}, 250), "s1's saved Raft state is 5120 bytes after 250 "+
		"entries were applied, over the bound of 2000: with a snapshot every 10 entries the log should hold only the "+
		"entries since the last snapshot; Snapshot must drop the entries it covers, and persist must save the log "+
		"without them")
}

func TestSnapshotTransfer(t *testing.T) {
	assert.NoError(t, snapshotTransfer(1, 60_000, 29_577, 2))
	assert.ErrorContains(t, snapshotTransfer(2, 300_000, 31_000, 1), "s2 received 300000 bytes of RPC requests (9.7 per "+
		"byte of snapshot) to catch up from a snapshot of 31000 bytes, in 1 terms; the budget is 66500")
}

func TestDiscardedMemory(t *testing.T) {
	assert.NoError(t, discardedMemory(5_900_000, 2_000_000, 2_000_000, 2, 3))
	assert.NoError(t, discardedMemory(3_900_000, 2_000_000, 2_000_000, 2, 3), "the leader's saved state kept alive")
	assert.EqualError(t, discardedMemory(2_100_000, 2_000_000, 2_000_000, 2, 3), "s2 and s3 (restarted from its saved "+
		"state) replaced their logs with a leader's snapshot and caught up, but the test process's live heap shrank "+
		"by only 2.1 MB of the 4.0 MB that s2's discarded entries (2.0 MB) and saved state (2.0 MB) held (what "+
		"crashed s3 held is not counted, in case goroutines left after Kill keep it). Something still refers to "+
		"the discarded entries: a log re-sliced rather than copied (rf.log = rf.log[i:] keeps the old array and "+
		"every entry in it), or another reference kept to them (the last AppendEntries' arguments, a slice of the "+
		"old log, an ApplyMsg not yet sent)")
}

// condRaft is a 2021-style Raft: it records each CondInstallSnapshot call
// and answers with accept.
type condRaft struct {
	raftapi.Raft
	accept bool
	calls  []raftapi.ApplyMsg
}

func (rf *condRaft) CondInstallSnapshot(lastIncludedTerm, lastIncludedIndex int, snapshot []byte) bool {
	rf.calls = append(rf.calls, snapshotMsg(lastIncludedIndex, lastIncludedTerm, snapshot))
	return rf.accept
}

// plainRaft has no CondInstallSnapshot, as every Raft since 2022's.
type plainRaft struct{ raftapi.Raft }

// TestServiceCallsCondInstallSnapshot checks the service against a 2021
// Raft: on a snapshot from applyCh it calls CondInstallSnapshot with the
// message's term, index and bytes, and takes the snapshot only if the
// answer is true, as MIT's 2021 service did; a Raft without the method is
// never asked, and commands never ask.
func TestServiceCallsCondInstallSnapshot(t *testing.T) {
	refuses, accepts := &condRaft{}, &condRaft{accept: true}
	c := &Cluster{
		run:        &run{},
		applies:    newBootedChecker(4),
		rafts:      []raftapi.Raft{&plainRaft{}, refuses, accepts, &plainRaft{}},
		generation: []int{1, 1, 1, 1},
	}
	appliedThrough(c.applies, 12, 0)
	data, err := c.applies.makeSnapshot(0, 10)
	require.NoError(t, err)
	msg := snapshotMsg(10, 1, data)

	// A refused snapshot leaves the service where it was: s1 applies
	// index 1 next, as if no snapshot had come.
	assert.False(t, c.applies.receive(1, 1, c.serviceTakes(1, 1, msg)))
	assert.Equal(t, []raftapi.ApplyMsg{msg}, refuses.calls)
	assert.True(t, c.applies.receive(1, 1, command(1, 101)))

	// An accepted one is taken: s2 goes on from index 11. An entry the
	// Raft sent before it switched is skipped, as 2021's service did.
	assert.False(t, c.applies.receive(2, 1, c.serviceTakes(2, 1, msg)))
	assert.Equal(t, []raftapi.ApplyMsg{msg}, accepts.calls)
	assert.False(t, c.applies.receive(2, 1, command(4, 104)))
	assert.True(t, c.applies.receive(2, 1, command(11, 111)))

	// A Raft without the method: the snapshot is taken as sent, and an old
	// entry after it is the Raft's mistake.
	assert.Equal(t, msg, c.serviceTakes(3, 1, msg))
	assert.False(t, c.applies.receive(3, 1, msg))
	assert.True(t, c.applies.receive(3, 1, command(11, 111)))
	assert.NoError(t, c.applies.problem())
	assert.False(t, c.applies.receive(3, 1, command(4, 104)))
	assert.ErrorContains(t, c.applies.problem(), "s3 applied index 4 again after index 11")

	// Commands are never a reason to ask.
	assert.Equal(t, command(2, 102), c.serviceTakes(1, 1, command(2, 102)))
	assert.Len(t, refuses.calls, 1)
}
