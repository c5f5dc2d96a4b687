package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"raftlabs/grading"
	"raftlabs/labtest"
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

// copyGoFiles copies the non-test .go files of from into the folder to,
// through edit if it is not nil.
func copyGoFiles(t *testing.T, from, to string, edit func(string) string) {
	t.Helper()
	entries, err := os.ReadDir(from)
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(to, 0o755))
	for _, e := range entries {
		if !isStudentFile(e) {
			continue
		}
		data, err := os.ReadFile(filepath.Join(from, e.Name()))
		require.NoError(t, err)
		src := string(data)
		if edit != nil {
			src = edit(src)
		}
		require.NoError(t, os.WriteFile(filepath.Join(to, e.Name()), []byte(src), 0o644))
	}
}

// labPoints is what lab is out of: its own tests' points.
func labPoints(lab labtest.Lab) int {
	points := 0
	for _, t := range labtest.Suite {
		if t.Lab == lab.Number {
			points += t.Points
		}
	}
	return points
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, v))
}
