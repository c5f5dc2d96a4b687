package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestGradeAClass grades a class of four submissions, two at a time: one
// correct, one that does not compile, one that busy-loops in a test and one
// with no lab folder. Each gets its own grade; none stops the others. (The
// first and third are fakeTrees, built from the reference in solutions/.)
func TestGradeAClass(t *testing.T) {
	if testing.Short() {
		t.Skip("grades four tests of lab 1 for a class of four")
	}
	class := t.TempDir()
	for name, tree := range map[string]string{
		"alice": fakeTree(t, ""),
		"carol": fakeTree(t, busyLoops),
	} {
		require.NoError(t, os.Rename(tree, filepath.Join(class, name)))
	}
	writeFiles(t, class, map[string]string{
		"bob/lab1-election/raft.go": "package raft\n\nfunc Make() {}\n",
		"dave/README.md":            "my Raft is in my other repository\n",
	})
	out := filepath.Join(t.TempDir(), "grades")

	status, output := grade(t, "--class", class, "--out", out, "--jobs", "2", "--run", someTests)
	assert.Equal(t, exitNotFull, status, output)
	for _, line := range []string{"alice: lab1 40/40", "bob: lab1 0/40 (does not compile)", "carol: lab1 30/40", "dave: not graded: "} {
		assert.Contains(t, output, line)
	}

	f, err := os.Open(filepath.Join(out, "grades.csv"))
	require.NoError(t, err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 5, "a heading and a row per student")
	assert.Equal(t, classColumns, rows[0])
	byStudent := map[string]map[string]string{}
	for _, row := range rows[1:] {
		m := map[string]string{}
		for i, col := range classColumns {
			m[col] = row[i]
		}
		byStudent[m["student"]] = m
	}
	assert.Equal(t, "40", byStudent["alice"]["score"])
	assert.Equal(t, "40", byStudent["alice"]["max_score"])
	assert.Empty(t, byStudent["alice"]["failed_tests"])
	assert.Equal(t, "0", byStudent["bob"]["score"])
	assert.NotEmpty(t, byStudent["bob"]["compile_error"])
	assert.NotContains(t, byStudent["bob"]["compile_error"], "does not compile:", "the compiler's first error, not the heading")
	assert.Equal(t, "30", byStudent["carol"]["score"])
	assert.Equal(t, fiveServerTest, byStudent["carol"]["failed_tests"])
	assert.Contains(t, byStudent["dave"]["error"], "has no lab folder")

	var c classReport
	readJSON(t, filepath.Join(out, "grades.json"), &c)
	require.Len(t, c.Students, 4)
	for _, s := range c.Students {
		assert.FileExists(t, s.Log)
	}
	log, err := os.ReadFile(filepath.Join(out, "logs", "carol.txt"))
	require.NoError(t, err)
	assert.True(t, strings.Contains(string(log), "--- output of "+fiveServerTest+", run 1 of 1"),
		"the log keeps each failed run's output:\n%s", log)
}
