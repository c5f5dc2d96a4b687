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
