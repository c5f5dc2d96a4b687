package service

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"raftlabs/raftapi"
)

// The service's checks, fed the messages a broken lab 4 Raft sends.

// appliedThrough has servers apply commands 101, 102, ... through index.
func appliedThrough(a *Checker, index int, servers ...int) {
	for _, i := range servers {
		for k := 1; k <= index; k++ {
			a.Receive(i, 1, command(k, 100+k))
		}
	}
}

func snapshotMsg(index, term int, data []byte) raftapi.ApplyMsg {
	return raftapi.ApplyMsg{SnapshotValid: true, SnapshotIndex: index, SnapshotTerm: term, Snapshot: data}
}

func TestServiceAcceptsAnInstalledSnapshot(t *testing.T) {
	a := newBootedChecker(2)
	appliedThrough(a, 12, 0)
	data, err := a.MakeSnapshot(0, 10)
	require.NoError(t, err)

	// s1 gets s0's snapshot from the leader, then the entries after it.
	a.Receive(1, 1, snapshotMsg(10, 1, data))
	assert.True(t, a.Receive(1, 1, command(11, 111)))
	assert.NoError(t, a.Problem())
	cmd, ok := a.Applied(1, 7)
	assert.True(t, ok, "the snapshot's commands count as applied")
	assert.Equal(t, 107, cmd)
}

func TestServiceSnapshotViolations(t *testing.T) {
	cases := map[string]struct {
		feed func(a *Checker, snap10 []byte)
		want string
	}{
		"an old snapshot after later entries": {
			feed: func(a *Checker, snap10 []byte) {
				appliedThrough(a, 12, 1)
				a.Receive(1, 1, snapshotMsg(10, 1, snap10))
			},
			want: "s1 sent a snapshot through index 10 on applyCh after it had applied index 12: the service would go back",
		},
		"SnapshotIndex not the snapshot's": {
			feed: func(a *Checker, snap10 []byte) { a.Receive(1, 1, snapshotMsg(11, 1, snap10)) },
			want: "s1 sent a snapshot on applyCh with SnapshotIndex 11, but the snapshot holds the service's state through index 10",
		},
		"two terms for one index": {
			feed: func(a *Checker, snap10 []byte) {
				a.Receive(1, 1, snapshotMsg(10, 2, snap10))
				a.Receive(2, 1, snapshotMsg(10, 3, snap10))
			},
			want: "s2 sent a snapshot through index 10 with SnapshotTerm 3, but s1's snapshot through the same index had term 2",
		},
		"no term": {
			feed: func(a *Checker, snap10 []byte) { a.Receive(1, 1, snapshotMsg(10, 0, snap10)) },
			want: "with SnapshotTerm 0: SnapshotTerm is the term of the entry at SnapshotIndex",
		},
		"bytes the service never made": {
			feed: func(a *Checker, _ []byte) { a.Receive(1, 1, snapshotMsg(10, 1, []byte("raft state"))) },
			want: "s1 handed its service a snapshot on applyCh that the service never made (10 bytes;",
		},
		"an entry applied again after the snapshot": {
			feed: func(a *Checker, snap10 []byte) {
				a.Receive(1, 1, snapshotMsg(10, 1, snap10))
				a.Receive(1, 1, command(10, 110))
			},
			want: "s1 applied index 10 again after index 10",
		},
		"an entry skipped after the snapshot": {
			feed: func(a *Checker, snap10 []byte) {
				a.Receive(1, 1, snapshotMsg(10, 1, snap10))
				a.Receive(1, 1, command(12, 112))
			},
			want: "s1 applied index 12 right after index 10 (the last index of its snapshot)",
		},
		"a snapshot that disagrees with what was applied": {
			feed: func(a *Checker, snap10 []byte) {
				a.logs[0] = map[int]any{} // as if s0 had made the snapshot and gone
				a.Receive(2, 1, command(1, 999))
				a.Receive(1, 1, snapshotMsg(10, 1, snap10))
			},
			want: "state machine safety: index 1 was applied as 999 on s2 but is 101 in the snapshot of s1",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			a := newBootedChecker(3)
			appliedThrough(a, 10, 0)
			snap10, err := a.MakeSnapshot(0, 10)
			require.NoError(t, err)
			tc.feed(a, snap10)
			assert.ErrorContains(t, a.Problem(), tc.want)
		})
	}
}

func TestServiceRestart(t *testing.T) {
	a := newBootedChecker(1)
	appliedThrough(a, 12, 0)
	snap, err := a.MakeSnapshot(0, 10)
	require.NoError(t, err)
	a.Killed(0, 1)

	// Restarted from the snapshot, the server goes on at index 11.
	a.Boot(0, 2)
	a.Restore(0, 2, snap)
	a.Receive(0, 2, command(11, 111))
	assert.NoError(t, a.Problem())

	// Or it sends the snapshot first: also fine.
	a.Killed(0, 2)
	a.Boot(0, 3)
	a.Restore(0, 3, snap)
	a.Receive(0, 3, snapshotMsg(10, 1, snap))
	a.Receive(0, 3, command(11, 111))
	assert.NoError(t, a.Problem())

	// But not an entry the snapshot covers.
	a.Killed(0, 3)
	a.Boot(0, 4)
	a.Restore(0, 4, snap)
	a.Receive(0, 4, command(1, 101))
	assert.ErrorContains(t, a.Problem(), "s0 applied index 1 as its first message after a restart, but the snapshot "+
		"it restarted with already covers the log through index 10: at boot, a server's lastApplied (and "+
		"commitIndex) start at its snapshot's last included index")
}

func TestServiceRestartWithACorruptSnapshot(t *testing.T) {
	// The Raft saved something else where the snapshot goes.
	a := newBootedChecker(1)
	a.Restore(0, 1, []byte("raft state, not a snapshot"))
	assert.ErrorContains(t, a.Problem(), "s0 handed its service a snapshot at restart that the service never made")
	assert.ErrorContains(t, a.Problem(), "check the order of Save's arguments")

	// The service's own snapshot that it cannot read is the harness's fault.
	a = newBootedChecker(1)
	appliedThrough(a, 10, 0)
	snap, err := a.MakeSnapshot(0, 10)
	require.NoError(t, err)
	corrupt := append([]byte(nil), snap...)
	corrupt = corrupt[:len(corrupt)-3]
	a.made[snapshotKey(corrupt)] = 10
	a.Restore(0, 1, corrupt)
	assert.ErrorContains(t, a.Problem(), "the test's service cannot read the snapshot through index 10 that it made itself")
	assert.ErrorContains(t, a.Problem(), "a bug in the course's harness, not in your Raft")
}

func TestRaftStateSizes(t *testing.T) {
	assert.NoError(t, RaftStateSizes([]int{300, 1999, 2000}, 40))
	assert.EqualError(t, RaftStateSizes([]int{300, 5120}, 250), "s1's saved Raft state is 5120 bytes after 250 "+
		"entries were applied, over the bound of 2000: with a snapshot every 10 entries the log should hold only the "+
		"entries since the last snapshot; Snapshot must drop the entries it covers, and persist must save the log "+
		"without them")
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
	a := newBootedChecker(4)
	rafts := []raftapi.Raft{&plainRaft{}, refuses, accepts, &plainRaft{}}
	takes := func(i int, m raftapi.ApplyMsg) raftapi.ApplyMsg { return a.Takes(rafts[i], i, 1, m, time.Second) }
	appliedThrough(a, 12, 0)
	data, err := a.MakeSnapshot(0, 10)
	require.NoError(t, err)
	msg := snapshotMsg(10, 1, data)

	// A refused snapshot leaves the service where it was: s1 applies
	// index 1 next, as if no snapshot had come.
	assert.False(t, a.Receive(1, 1, takes(1, msg)))
	assert.Equal(t, []raftapi.ApplyMsg{msg}, refuses.calls)
	assert.True(t, a.Receive(1, 1, command(1, 101)))

	// An accepted one is taken: s2 goes on from index 11. An entry the
	// Raft sent before it switched is skipped, as 2021's service did.
	assert.False(t, a.Receive(2, 1, takes(2, msg)))
	assert.Equal(t, []raftapi.ApplyMsg{msg}, accepts.calls)
	assert.False(t, a.Receive(2, 1, command(4, 104)))
	assert.True(t, a.Receive(2, 1, command(11, 111)))

	// A Raft without the method: the snapshot is taken as sent, and an old
	// entry after it is the Raft's mistake.
	assert.Equal(t, msg, takes(3, msg))
	assert.False(t, a.Receive(3, 1, msg))
	assert.True(t, a.Receive(3, 1, command(11, 111)))
	assert.NoError(t, a.Problem())
	assert.False(t, a.Receive(3, 1, command(4, 104)))
	assert.ErrorContains(t, a.Problem(), "s3 applied index 4 again after index 11")

	// Commands are never a reason to ask.
	assert.Equal(t, command(2, 102), takes(1, command(2, 102)))
	assert.Len(t, refuses.calls, 1)
}
