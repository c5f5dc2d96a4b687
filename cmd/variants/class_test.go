package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"raftlabs/labtest"
)

// A class alternates the reference and the variants, each submission a
// student's tree whose lab folders hold the Raft as package raft, with the
// variant's bug in it.
func TestWriteClass(t *testing.T) {
	root, vs := courseVariants(t, "stale-term-vote", "votedfor-not-reset")

	dir := t.TempDir()
	require.NoError(t, writeClass(root, dir, 5, vs))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.Equal(t, []string{"001-reference", "002-stale-term-vote", "003-reference", "004-votedfor-not-reset",
		"005-reference"}, names)

	changed, err := vs[0].Apply(os.DirFS(root))
	require.NoError(t, err)
	for _, lab := range labtest.Labs {
		for path := range changed {
			got, err := os.ReadFile(filepath.Join(dir, "002-stale-term-vote", lab.Dir, filepath.Base(path)))
			require.NoError(t, err)
			assert.Equal(t, string(packageClause.ReplaceAll(changed[path], []byte("package raft"))), string(got))
		}
		raft, err := os.ReadFile(filepath.Join(dir, "001-reference", lab.Dir, "raft.go"))
		require.NoError(t, err)
		assert.Regexp(t, `(?m)^package raft$`, string(raft))
		assert.NoFileExists(t, filepath.Join(dir, "001-reference", lab.Dir, "bench_test.go"))
	}
}
