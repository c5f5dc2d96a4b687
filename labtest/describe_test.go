package labtest

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"raftlabs/raftapi"
)

// idleRaft is a Raft that does nothing, for tests of the harness's books.
type idleRaft struct{}

func (idleRaft) Start(any) (int, int, bool) { return -1, -1, false }
func (idleRaft) GetState() (int, bool)      { return 0, false }
func (idleRaft) Snapshot(int, []byte)       {}
func (idleRaft) Kill()                      {}

func TestNetworkDescription(t *testing.T) {
	c := &Cluster{
		n:          4,
		rafts:      []raftapi.Raft{idleRaft{}, idleRaft{}, idleRaft{}, nil},
		generation: []int{1, 1, 1, 1},
		endNames:   [][]string{{"a"}, {"b"}, {"c"}, {"d"}},
		connected:  []bool{true, true, false, false},
		group:      []int{0, 0, 0, 0},
	}
	shape, groups := c.describeNetworkLocked()
	assert.Equal(t, "{s0 s1} | s2 cut off | s3 crashed", shape)
	assert.Equal(t, [][]string{{"s0", "s1"}}, groups)
}
