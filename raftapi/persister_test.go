package raftapi

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPersisterSaveAndRead(t *testing.T) {
	p := MakePersister()
	assert.Nil(t, p.ReadRaftState(), "a new persister has no state")
	assert.Zero(t, p.RaftStateSize())

	state, snap := []byte("state"), []byte("snapshot")
	p.Save(state, snap)
	state[0], snap[0] = 'X', 'X' // the caller's buffers are not kept
	assert.Equal(t, []byte("state"), p.ReadRaftState())
	assert.Equal(t, []byte("snapshot"), p.ReadSnapshot())
	assert.Equal(t, 5, p.RaftStateSize())
	assert.Equal(t, 8, p.SnapshotSize())

	got := p.ReadRaftState()
	got[0] = 'Y' // nor can a reader change what is saved
	assert.Equal(t, []byte("state"), p.ReadRaftState())
}

func TestPersisterCopyIsIndependent(t *testing.T) {
	p := MakePersister()
	p.Save([]byte("before crash"), nil)
	restarted := p.Copy()

	// A killed server that writes late must not change the restarted disk.
	p.Save([]byte("late write"), []byte("late snapshot"))
	assert.Equal(t, []byte("before crash"), restarted.ReadRaftState())
	assert.Nil(t, restarted.ReadSnapshot())
}

// TestPersister2021Methods checks the names MIT 6.824's 2021–2022 Rafts
// call: SaveRaftState keeps the snapshot, SaveStateAndSnapshot replaces
// both, as Save does.
func TestPersister2021Methods(t *testing.T) {
	p := MakePersister()
	p.SaveStateAndSnapshot([]byte("state 1"), []byte("snapshot 1"))
	assert.Equal(t, []byte("state 1"), p.ReadRaftState())
	assert.Equal(t, []byte("snapshot 1"), p.ReadSnapshot())

	state := []byte("state 2")
	p.SaveRaftState(state)
	state[0] = 'X' // the caller's buffer is not kept
	assert.Equal(t, []byte("state 2"), p.ReadRaftState())
	assert.Equal(t, []byte("snapshot 1"), p.ReadSnapshot(), "SaveRaftState keeps the snapshot")

	p.SaveStateAndSnapshot([]byte("state 3"), nil)
	assert.Equal(t, []byte("state 3"), p.ReadRaftState())
	assert.Nil(t, p.ReadSnapshot(), "SaveStateAndSnapshot replaces both, as Save does")
}

// Contains looks in both what is saved: the Raft state and the snapshot.
func TestPersisterContains(t *testing.T) {
	p := MakePersister()
	assert.False(t, p.Contains([]byte("x")), "a new persister holds nothing")
	p.Save([]byte("term 3, log [put k v1]"), []byte("k=v0"))
	assert.True(t, p.Contains([]byte("put k v1")), "in the Raft state")
	assert.True(t, p.Contains([]byte("k=v0")), "in the snapshot")
	assert.False(t, p.Contains([]byte("v2")), "in neither")
}

// A restarted server's persister and its killed predecessor's share what
// was saved before the crash; a save to either must not reach the other,
// although Save otherwise writes a new state into the old one's array.
func TestPersisterCopySharesNothingWritable(t *testing.T) {
	p := MakePersister()
	p.Save([]byte("term 1 state"), []byte("snap"))
	p.Save([]byte("term 2 state"), []byte("snap")) // into the same array
	restarted := p.Copy()
	restarted.Save([]byte("term 3 state"), []byte("snap"))
	assert.Equal(t, []byte("term 2 state"), p.ReadRaftState(), "the copy's save reached the original")
	p.Save([]byte("term 9 state"), []byte("late"))
	assert.Equal(t, []byte("term 3 state"), restarted.ReadRaftState(), "the original's save reached the copy")
	assert.Equal(t, []byte("snap"), restarted.ReadSnapshot())
	restarted.Save([]byte("term 4 state"), nil)
	assert.Equal(t, []byte("term 9 state"), p.ReadRaftState())
	assert.Nil(t, restarted.ReadSnapshot(), "nil saves no snapshot, even after an equal one")
}

// A state that shrinks, as after a snapshot, is not kept in the large
// array of the state before it, and a large state's array is not much
// larger than it: a test that checks what a Raft frees counts it.
func TestPersisterKeepsNoLargeArray(t *testing.T) {
	p := MakePersister()
	p.Save(make([]byte, 1<<20), nil)
	array := cap(p.raftState)
	assert.LessOrEqual(t, array, 1<<20+64<<10+64, "a large state's array has at most 64 KiB of room")
	p.Save(make([]byte, 1<<20+100), nil)
	p.Save(make([]byte, 1<<20+50), nil)
	assert.Equal(t, array, cap(p.raftState), "a state of about the same size reuses the array")
	p.Save([]byte("small"), nil)
	assert.Less(t, cap(p.raftState), 1<<10, "a much smaller state kept the old array")
	assert.Equal(t, []byte("small"), p.ReadRaftState())
	p.Save(nil, nil)
	assert.Nil(t, p.ReadRaftState())
}

// A log grows an entry at a time: its saves do not each need a new array.
func TestPersisterGrowingStateReusesItsArray(t *testing.T) {
	p := MakePersister()
	state := []byte("term 1, log:")
	arrays := 0
	for i := range 1000 {
		state = append(state, byte('a'+i%26))
		before := cap(p.raftState)
		p.Save(state, nil)
		if cap(p.raftState) != before {
			arrays++
		}
	}
	assert.Equal(t, state, p.ReadRaftState())
	assert.Less(t, arrays, 20, "1000 saves, each a byte longer, took %d arrays", arrays)
}
