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
