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
