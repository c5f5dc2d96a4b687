package grading

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"raftlabs/labtest"
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
	got := verdict(raceOutput, nil, nil, 0)
	assert.Equal(t, "data race: read in (*Raft).GetState.func1 (raft.go:48), "+
		"previous write in (*Raft).GetState (raft.go:49)", got)

	// A race beside a failed check: both are told, the race first.
	withCheck := strings.Replace(raceOutput, "    testing.go:1617: race detected during execution of test",
		"    lab1.go:16: no leader: 5s passed\n          terms: s0 0", 1)
	assert.Equal(t, "data race: read in (*Raft).GetState.func1 (raft.go:48), "+
		"previous write in (*Raft).GetState (raft.go:49)\nno leader: 5s passed\nterms: s0 0",
		verdict(withCheck, nil, nil, 0))
}

func TestVerdictForAMissingTest(t *testing.T) {
	got := verdict("testing: warning: no tests to run\nPASS\n", nil, nil, 0)
	assert.Contains(t, got, "go run ./cmd/labgen")
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
	assert.Regexp(t, summaryLine, out)

	var small cappedBuffer
	small.Write([]byte("short"))
	assert.Equal(t, "short", small.String())
}

func TestRaceIsReportedWithItsPlace(t *testing.T) {
	if testing.Short() {
		t.Skip("builds with -race")
	}
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	skeleton, err := os.ReadFile(filepath.Join(root, lab1.Dir, "raft.go"))
	require.NoError(t, err)
	racy := strings.Replace(string(skeleton), "func (rf *Raft) GetState() (int, bool) {",
		"var racy int\n\nfunc (rf *Raft) GetState() (int, bool) {\n\tgo func() { racy++ }()\n\tracy++", 1)
	require.NotEqual(t, string(skeleton), racy, "the skeleton's GetState has moved")

	src := Source{Replace: map[string][]byte{lab1.Dir + "/raft.go": []byte(racy)}}
	bin, err := Build(root, lab1, src, BuildOptions{Dir: t.TempDir(), Race: true})
	if err != nil && strings.Contains(err.Error(), "requires cgo") {
		t.Skip("the race detector needs cgo here")
	}
	require.NoError(t, err)
	res := RunTest(bin, filepath.Join(root, lab1.Dir), labtest.TestsUpTo(1)[0], RunOptions{})
	assert.False(t, res.Passed)
	assert.Contains(t, res.Verdict, "data race: ")
	assert.Contains(t, res.Verdict, "(*Raft).GetState")
	assert.Contains(t, res.Verdict, "raft.go:")
}
