package stacks

import (
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	dump := `goroutine 10 [sync.Mutex.Lock, synctest bubble 1]:
main.f()
	/x/main.go:7 +0x2d

goroutine 11 [sleep (durable), 2 minutes, synctest bubble 1]:
time.Sleep(0x5f5e100)

goroutine 1 [running]:
main.main()
`
	gs := Parse([]byte(dump))
	require.Len(t, gs, 3)
	assert.Equal(t, Goroutine{ID: 10, Status: "sync.Mutex.Lock", Bubble: 1,
		Stack: "goroutine 10 [sync.Mutex.Lock, synctest bubble 1]:\nmain.f()\n\t/x/main.go:7 +0x2d"}, gs[0])
	assert.Equal(t, "sleep", gs[1].Status)
	assert.True(t, gs[1].Durable)
	assert.Equal(t, 1, gs[1].Bubble)
	assert.Equal(t, 0, gs[2].Bubble)
	assert.Equal(t, "running", gs[2].Status)
}

func TestCurrentIsTheCaller(t *testing.T) {
	g := Current()
	assert.Positive(t, g.ID)
	assert.Contains(t, g.Stack, "TestCurrentIsTheCaller")
	assert.Contains(t, func() []int {
		var ids []int
		for _, h := range All() {
			ids = append(ids, h.ID)
		}
		return ids
	}(), g.ID)
}

func TestSelfIsTheCaller(t *testing.T) {
	id, bubble := Self()
	assert.Equal(t, Current().ID, id)
	assert.Zero(t, bubble, "outside a synctest bubble")
	synctest.Test(t, func(t *testing.T) {
		id, bubble := Self()
		g := Current()
		assert.Equal(t, g.ID, id)
		assert.Positive(t, bubble)
		assert.Equal(t, g.Bubble, bubble)
	})
}

func TestLateCalls(t *testing.T) {
	gs := []Goroutine{
		{ID: 1, Stack: "goroutine 1 [sleep]:\nraftlabs/labrpc.(*Network).call(...)\nraftlabs/labrpc.(*ClientEnd).Call(...)"},
		{ID: 2, Stack: "goroutine 2 [sync.Cond.Wait]:\nsync.(*Cond).Wait(...)\nraftlabs/solutions.(*Raft).applier(...)"},
	}
	calling, others := LateCalls(gs)
	require.Len(t, calling, 1)
	require.Len(t, others, 1)
	assert.Equal(t, 1, calling[0].ID)
	assert.Equal(t, 2, others[0].ID)
}
