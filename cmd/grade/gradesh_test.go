package main

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"raftlabs/labtest"
)

// TestGradeShInAReadOnlyCourse runs grade.sh in a read-only copy of the
// course, from another folder, and checks that it grades and writes
// nothing into the course (root ignores permissions, so the copy's files
// are compared before and after as well).
//
// The copy lives at a fixed path, so the build cache, which keys compiled
// packages by their folder, serves the second and later runs: a few
// seconds instead of half a minute.
func TestGradeShInAReadOnlyCourse(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the grader and a lab in a copy of the course")
	}
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh to run grade.sh with")
	}
	course := filepath.Join(os.TempDir(), fmt.Sprintf("raftlabs-readonly-test-%d", os.Getuid()))
	removeTree(t, course)
	t.Cleanup(func() { removeTree(t, course) })
	skip := func(path string) bool {
		base := filepath.Base(path)
		return base == ".git" || base == "bin" || base == "testdata"
	}
	require.NoError(t, copyTree(courseRoot(t), course, skip))
	before := treeState(t, course)
	require.NoError(t, chmodTree(course, func(m fs.FileMode) fs.FileMode { return m &^ 0o222 }))

	cmd := exec.Command(filepath.Join(course, "grade.sh"), "--reference", "--runs", "1", "--jobs", "2", "lab1")
	cmd.Dir = t.TempDir() // not in the course: grade.sh must tell the grader where it is
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	full := labPoints(labtest.Labs[0])
	assert.Contains(t, string(out), fmt.Sprintf("lab1 total: %d/%d", full, full))
	assert.Equal(t, before, treeState(t, course), "grade.sh wrote into the course")
}

// treeState maps every path under root to its mode, size and time.
func treeState(t *testing.T, root string) map[string]string {
	t.Helper()
	state := map[string]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		size := info.Size()
		if d.IsDir() {
			size = 0 // a folder's size is the file system's business
		}
		state[path] = fmt.Sprintf("%v %d %v", info.Mode().Type(), size, info.ModTime())
		return nil
	})
	require.NoError(t, err)
	return state
}

// chmodTree sets the permissions of everything under root to mode(old).
func chmodTree(root string, mode func(fs.FileMode) fs.FileMode) error {
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		return os.Chmod(path, mode(info.Mode().Perm()))
	})
}

// removeTree makes root writable again and removes it.
func removeTree(t *testing.T, root string) {
	t.Helper()
	if _, err := os.Stat(root); err != nil {
		return
	}
	require.NoError(t, chmodTree(root, func(m fs.FileMode) fs.FileMode { return m | 0o200 }))
	require.NoError(t, os.RemoveAll(root))
}
