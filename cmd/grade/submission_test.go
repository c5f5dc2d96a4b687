package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"raftlabs/grading"
)

// writeFiles writes files (path: content) under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for path, content := range files {
		path = filepath.Join(dir, path)
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	}
}

func courseRoot(t *testing.T) string {
	t.Helper()
	root, err := grading.FindRoot(".")
	require.NoError(t, err)
	return root
}

func TestSubmissionTakesOnlyTheStudentsCode(t *testing.T) {
	root := courseRoot(t)
	sub := t.TempDir()
	writeFiles(t, sub, map[string]string{
		"lab1-election/raft.go":       "package raft // the student's\n",
		"lab1-election/util.go":       "package raft // also the student's\n",
		"lab1-election/suite_test.go": "package raft // a student's own tests must not replace the course's\n",
		"lab1-election/notes.txt":     "not code\n",
		"labtest/lab1.go":             "package labtest // nor may the harness be replaced\n",
	})

	copyRoot, notes, err := prepareSubmission(root, sub)
	require.NoError(t, err)
	defer os.RemoveAll(copyRoot)

	read := func(path string) string {
		data, err := os.ReadFile(filepath.Join(copyRoot, path))
		require.NoError(t, err, path)
		return string(data)
	}
	assert.Equal(t, "package raft // the student's\n", read("lab1-election/raft.go"))
	assert.Equal(t, "package raft // also the student's\n", read("lab1-election/util.go"))
	course := func(path string) string {
		data, err := os.ReadFile(filepath.Join(root, path))
		require.NoError(t, err)
		return string(data)
	}
	assert.Equal(t, course("lab1-election/suite_test.go"), read("lab1-election/suite_test.go"))
	assert.Equal(t, course("labtest/lab1.go"), read("labtest/lab1.go"))
	assert.Equal(t, course("lab2-replication/raft.go"), read("lab2-replication/raft.go"))
	assert.NoFileExists(t, filepath.Join(copyRoot, "lab1-election/notes.txt"))
	assert.NoDirExists(t, filepath.Join(copyRoot, ".git"))
	assert.FileExists(t, filepath.Join(copyRoot, "go.mod"))
	assert.Equal(t, []string{
		"lab1-election: the submission's raft.go, util.go",
		"lab2-replication: not in the submission; the course's skeleton stands in for it",
	}, notes)
}

func TestSubmissionWithoutLabFolders(t *testing.T) {
	sub := t.TempDir()
	writeFiles(t, sub, map[string]string{"raft.go": "package raft\n"})
	_, _, err := prepareSubmission(courseRoot(t), sub)
	assert.ErrorContains(t, err, "has no lab folder")

	_, _, err = prepareSubmission(courseRoot(t), filepath.Join(sub, "missing"))
	assert.ErrorContains(t, err, "not a folder")
}
