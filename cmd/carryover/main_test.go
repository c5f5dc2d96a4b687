package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func write(t *testing.T, path, content string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(b)
}

func TestCarryOverCopiesAndBacksUp(t *testing.T) {
	root := t.TempDir()
	from, to := filepath.Join(root, "lab1"), filepath.Join(root, "lab2")
	write(t, filepath.Join(from, "raft.go"), "package raft // my lab 1")
	write(t, filepath.Join(from, "util.go"), "package raft // helpers")
	write(t, filepath.Join(from, "suite_test.go"), "package raft // lab 1 tests")
	write(t, filepath.Join(to, "raft.go"), "package raft // lab 2 skeleton")
	write(t, filepath.Join(to, "extra.go"), "package raft // only in lab 2")
	write(t, filepath.Join(to, "suite_test.go"), "package raft // lab 2 tests")

	var out bytes.Buffer
	now := time.Date(2026, 11, 26, 10, 30, 0, 0, time.UTC)
	require.NoError(t, carryOver(&out, from, to, nil, now))

	assert.Equal(t, "package raft // my lab 1", read(t, filepath.Join(to, "raft.go")))
	assert.Equal(t, "package raft // helpers", read(t, filepath.Join(to, "util.go")))
	assert.Equal(t, "package raft // lab 2 tests", read(t, filepath.Join(to, "suite_test.go")), "tests are never touched")
	assert.NoFileExists(t, filepath.Join(to, "extra.go"))

	backup := filepath.Join(to, ".backup-20261126-103000")
	assert.Equal(t, "package raft // lab 2 skeleton", read(t, filepath.Join(backup, "raft.go")))
	assert.Equal(t, "package raft // only in lab 2", read(t, filepath.Join(backup, "extra.go")))
	assert.Contains(t, out.String(), "saved the previous")
}

func TestCarryOverTwiceKeepsBothBackups(t *testing.T) {
	root := t.TempDir()
	from, to := filepath.Join(root, "lab1"), filepath.Join(root, "lab2")
	write(t, filepath.Join(from, "raft.go"), "v1")
	write(t, filepath.Join(to, "raft.go"), "skeleton")
	first := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	require.NoError(t, carryOver(new(bytes.Buffer), from, to, nil, first))

	write(t, filepath.Join(to, "raft.go"), "lab 2 work")
	write(t, filepath.Join(from, "raft.go"), "v2")
	require.NoError(t, carryOver(new(bytes.Buffer), from, to, nil, first.Add(time.Hour)))

	assert.Equal(t, "skeleton", read(t, filepath.Join(to, ".backup-20261126-100000", "raft.go")))
	assert.Equal(t, "lab 2 work", read(t, filepath.Join(to, ".backup-20261126-110000", "raft.go")))
	assert.Equal(t, "v2", read(t, filepath.Join(to, "raft.go")))
}

// Lab 5's service files are the lab's own: the Raft comes across, and
// server.go, client.go and common.go stay as the student wrote them.
func TestCarryOverKeepsTheNewLabsOwnFiles(t *testing.T) {
	root := t.TempDir()
	from, to := filepath.Join(root, "lab4"), filepath.Join(root, "lab5")
	write(t, filepath.Join(from, "raft.go"), "my raft")
	write(t, filepath.Join(to, "raft.go"), "skeleton")
	write(t, filepath.Join(to, "server.go"), "my server")
	write(t, filepath.Join(to, "client.go"), "my clerk")
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	require.NoError(t, carryOver(new(bytes.Buffer), from, to, []string{"server.go", "client.go", "common.go"}, now))

	assert.Equal(t, "my raft", read(t, filepath.Join(to, "raft.go")))
	assert.Equal(t, "my server", read(t, filepath.Join(to, "server.go")))
	assert.Equal(t, "my clerk", read(t, filepath.Join(to, "client.go")))
	assert.NoFileExists(t, filepath.Join(to, ".backup-20261126-100000", "server.go"))
}

func TestLabPair(t *testing.T) {
	for _, arg := range []string{"lab2", "2", "lab2-replication", "lab2-replication/"} {
		from, to, err := labPair(arg)
		require.NoError(t, err, arg)
		assert.Equal(t, "lab1-election", from.Dir)
		assert.Equal(t, "lab2-replication", to.Dir)
	}
	_, _, err := labPair("lab1")
	assert.ErrorContains(t, err, "first lab")
	_, _, err = labPair("lab9")
	assert.ErrorContains(t, err, `unknown lab "lab9"`)
}
