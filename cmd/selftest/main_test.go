package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRunAllReportsEveryStepAndCounts(t *testing.T) {
	var out bytes.Buffer
	st := &selftest{out: &out}
	ok := st.runAll([]step{
		{"good", func() (string, error) { return "", nil }},
		{"bad", func() (string, error) { return "line 1\nline 2", errors.New("it broke") }},
		{"absent", func() (string, error) { return "not there yet", errSkipped }},
	})

	assert.False(t, ok)
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	assert.Regexp(t, `^pass  good  \d+\.\ds$`, lines[0])
	assert.Regexp(t, `^FAIL  bad  \d+\.\ds$`, lines[1])
	assert.Equal(t, []string{"      line 1", "      line 2", "      it broke"}, lines[2:5])
	assert.Equal(t, "skip  absent  (not there yet)", lines[5])
	assert.Equal(t, "1 passed, 1 failed", lines[len(lines)-1])
}

func TestLastLines(t *testing.T) {
	assert.Equal(t, "a\nb", lastLines("a\nb", 2))
	assert.Equal(t, "... (1 earlier lines not shown)\nb\nc", lastLines("a\nb\nc", 2))
}

// TestCopyStepSkipsOutsideAGitCheckout checks that the students' copy step
// says why it is skipped where cmd/handout refuses to make a copy: a
// course folder that git does not track (a course unpacked from an
// archive).
func TestCopyStepSkipsOutsideAGitCheckout(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git here")
	}
	root := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(root, "cmd", "handout"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, "go.mod"), []byte("module raftlabs\n"), 0o644))
	st := &selftest{root: root}
	out, err := st.handout()
	assert.ErrorIs(t, err, errSkipped)
	assert.Contains(t, out, "not a git checkout of the course")
}
