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

// Self names the calling goroutine: its entry in All is the running one
// whose stack shows this test, in no bubble; inside a synctest bubble, the
// entry's bubble is Self's.
func TestSelfIsTheCaller(t *testing.T) {
	id, bubble := Self()
	assert.Positive(t, id)
	assert.Zero(t, bubble, "outside a synctest bubble")
	g := entryOf(t, id)
	assert.Equal(t, "running", g.Status)
	assert.Contains(t, g.Stack, "TestSelfIsTheCaller")
	synctest.Test(t, func(t *testing.T) {
		id, bubble := Self()
		assert.Positive(t, bubble)
		assert.Equal(t, entryOf(t, id).Bubble, bubble)
	})
}

// entryOf returns the goroutine id's entry in All.
func entryOf(t *testing.T, id int) Goroutine {
	t.Helper()
	for _, g := range All() {
		if g.ID == id {
			return g
		}
	}
	require.Failf(t, "no such goroutine", "goroutine %d is not in All()", id)
	return Goroutine{}
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
