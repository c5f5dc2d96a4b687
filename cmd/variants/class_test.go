package main

import (
	"encoding/json"
	"os"
	"os/exec"
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

// In lab 5's folder a submission also holds the key/value service, as a
// student writes it: package raft, on the Raft beside it. A service
// variant's bug is in that folder only, and every submission's lab 5
// compiles with the course's tests.
func TestWriteClassHandsInLab5sService(t *testing.T) {
	root, vs := courseVariants(t, "kv-reply-before-commit", "stale-term-vote")
	dir := t.TempDir()
	require.NoError(t, writeClass(root, dir, 4, vs))

	lab5 := labtest.Labs[len(labtest.Labs)-1]
	require.Equal(t, []string{"client.go", "common.go", "server.go"}, lab5.NewFiles())
	for _, student := range []string{"001-reference", "002-kv-reply-before-commit", "004-stale-term-vote"} {
		for _, file := range lab5.NewFiles() {
			src, err := os.ReadFile(filepath.Join(dir, student, lab5.Dir, file))
			require.NoError(t, err)
			assert.Regexp(t, `(?m)^package raft$`, string(src))
			assert.NotContains(t, string(src), "solutions", "%s/%s calls the Raft beside it", student, file)
		}
		assert.NoFileExists(t, filepath.Join(dir, student, "lab4-snapshots", "server.go"), "the service is lab 5's only")
		vetLab(t, root, lab5, filepath.Join(dir, student, lab5.Dir))
	}

	changed, err := vs[0].Apply(os.DirFS(root))
	require.NoError(t, err)
	for path, content := range changed {
		got, err := os.ReadFile(filepath.Join(dir, "002-kv-reply-before-commit", lab5.Dir, filepath.Base(path)))
		require.NoError(t, err)
		assert.Equal(t, string(asStudentService(content)), string(got))
		reference, err := os.ReadFile(filepath.Join(dir, "001-reference", lab5.Dir, filepath.Base(path)))
		require.NoError(t, err)
		assert.NotEqual(t, string(reference), string(got), "the variant's bug is in its service")
	}
}

// vetLab runs go vet on the course's lab folder with its student files
// replaced by those of folder (through an overlay: the course is not
// changed), so that the student's files and the course's tests must
// compile together.
func vetLab(t *testing.T, root string, lab labtest.Lab, folder string) {
	t.Helper()
	replace := map[string]string{}
	for _, dir := range []string{filepath.Join(root, lab.Dir), folder} {
		entries, err := os.ReadDir(dir)
		require.NoError(t, err)
		for _, e := range entries {
			if labtest.IsStudentFile(e.Name()) {
				replace[filepath.Join(root, lab.Dir, e.Name())] = "" // the course's own go
			}
		}
	}
	entries, err := os.ReadDir(folder)
	require.NoError(t, err)
	for _, e := range entries {
		replace[filepath.Join(root, lab.Dir, e.Name())] = filepath.Join(folder, e.Name())
	}
	overlay, err := json.Marshal(map[string]any{"Replace": replace})
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "overlay.json")
	require.NoError(t, os.WriteFile(path, overlay, 0o644))
	cmd := exec.Command("go", "vet", "-overlay", path, "./"+lab.Dir)
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s does not compile with the course's tests:\n%s", folder, out)
}
