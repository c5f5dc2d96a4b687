package testproc

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// raceOutput is what the race detector printed for a GetState that bumps a
// global from two goroutines.
const raceOutput = `=== RUN   TestInitialElectionLab1
Test TestInitialElectionLab1: seed 94063, virtual time
==================
WARNING: DATA RACE
Read at 0x000000a86290 by goroutine 23:
  raftlabs/lab1-election.(*Raft).GetState.func1()
      /work/main/lab1-election/raft.go:48 +0x24

Previous write at 0x000000a86290 by goroutine 11:
  raftlabs/lab1-election.(*Raft).GetState()
      /work/main/lab1-election/raft.go:49 +0x48
  raftlabs/labtest.(*Cluster).GetState.func1()
      /work/main/labtest/leaders.go:21 +0x54

Goroutine 23 (running) created at:
  raftlabs/lab1-election.(*Raft).GetState()
      /work/main/lab1-election/raft.go:48 +0x24
==================
    testing.go:1617: race detected during execution of test
  FAILED  3.00s virtual  0.10s real  3 peers  40 RPCs  900 bytes  0 commands
`

func TestVerdictNamesTheDataRace(t *testing.T) {
	got := dataRace(strings.Split(raceOutput, "\n"))
	assert.Equal(t, "data race: read in (*Raft).GetState.func1 (raft.go:48), "+
		"previous write in (*Raft).GetState (raft.go:49)", got)

}

func TestCrashCauseKeepsThePanicAndItsGoroutine(t *testing.T) {
	output := `Test TestX: seed 1, virtual time
panic: runtime error: index out of range [5] with length 3

goroutine 42 [running]:
raftlabs/lab2-replication.(*Raft).applier(0xc000123)
	/work/main/lab2-replication/raft.go:310 +0x2d
created by raftlabs/lab2-replication.Make in goroutine 20
	/work/main/lab2-replication/raft.go:400 +0x1a

goroutine 1 [chan receive]:
testing.(*T).Run(...)
`
	got := crashCause(strings.Split(output, "\n"))
	assert.Contains(t, got, "panic: runtime error: index out of range [5] with length 3")
	assert.Contains(t, got, "(*Raft).applier")
	assert.NotContains(t, got, "goroutine 1 [chan receive]")
	assert.Empty(t, crashCause([]string{"Test TestX: seed 1", "  passed"}))
}

func TestCappedBufferKeepsStartAndEnd(t *testing.T) {
	var b cappedBuffer
	b.Write([]byte("Test TestX: seed 7, virtual time\n"))
	chunk := []byte(strings.Repeat("debug line\n", 3000))
	written := 0
	for written < 3*outputLimit {
		n, err := b.Write(chunk)
		require.NoError(t, err)
		written += n
	}
	b.Write([]byte("  passed  1.00s virtual  0.01s real  3 peers  1 RPCs  1 bytes  0 commands\n"))

	out := b.String()
	assert.LessOrEqual(t, len(out), outputLimit+100)
	assert.True(t, strings.HasPrefix(out, "Test TestX: seed 7,"))
	assert.True(t, strings.HasSuffix(out, "0 commands\n"))
	assert.Contains(t, out, "bytes of output left out")

	var small cappedBuffer
	small.Write([]byte("short"))
	assert.Equal(t, "short", small.String())
}
