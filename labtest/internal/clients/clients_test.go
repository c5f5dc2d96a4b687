package clients

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckAcknowledged(t *testing.T) {
	logs := []map[int]any{{1: 10, 2: 20}, {1: 10, 2: 20}, {1: 10, 2: 99}}
	applied := func(i, index int) (any, bool) { v, ok := logs[i][index]; return v, ok }
	acks := []Ack{{Client: 0, Command: 10, Index: 1, At: time.Second}}
	assert.NoError(t, CheckAcknowledged(acks, 3, applied))

	acks = append(acks, Ack{Client: 2, Command: 20, Index: 2, At: 1500 * time.Millisecond})
	err := CheckAcknowledged(acks, 3, applied)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "a committed command was lost: client 2 saw 20 applied at index 2 at 1.50s, "+
		"but at the end [s2] had applied 99 there")
}
