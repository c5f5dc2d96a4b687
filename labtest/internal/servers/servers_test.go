package servers

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"raftlabs/raftapi"
)

// idleRaft is a running instance that does nothing.
type idleRaft struct{ raftapi.Raft }

func TestShape(t *testing.T) {
	s := &Servers{
		n:          4,
		rafts:      []raftapi.Raft{idleRaft{}, idleRaft{}, idleRaft{}, nil},
		generation: []int{1, 1, 1, 1},
		endNames:   [][]string{{"a"}, {"b"}, {"c"}, {"d"}},
		connected:  []bool{true, true, false, false},
		group:      []int{0, 0, 0, 0},
	}
	shape, groups := s.shapeLocked()
	assert.Equal(t, "{s0 s1} | s2 cut off | s3 crashed", shape)
	assert.Equal(t, [][]string{{"s0", "s1"}}, groups)
}

func TestDescribeBeforeBoot(t *testing.T) {
	var s *Servers
	assert.Equal(t, "", s.Describe())
	assert.Nil(t, s.Pointers())
	assert.Nil(t, s.Running())
}
