package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"raftlabs/grading"
	"raftlabs/labtest"
)

// grade runs the command as a student would and returns its exit status
// and output. Each test runs once unless args say otherwise, whatever the
// course's grade.conf says.
func grade(t *testing.T, args ...string) (int, string) {
	t.Helper()
	if !slices.ContainsFunc(args, func(a string) bool { return strings.HasPrefix(strings.TrimLeft(a, "-"), "runs") }) {
		args = append([]string{"--runs", "1"}, args...)
	}
	var out, errOut bytes.Buffer
	status := run(args, &out, &errOut)
	return status, out.String() + errOut.String()
}

func TestGradeTheSkeleton(t *testing.T) {
	reportFile := filepath.Join(t.TempDir(), "report.json")
	status, out := grade(t, "lab1", "--jobs", "2", "--json", reportFile)

	assert.Equal(t, exitNotFull, status, out)
	assert.Contains(t, out, "lab1 total: 0/100")
	assert.Contains(t, out, "Start with docs/lab1-election.md, then fill in RequestVote and the ticker in lab1-election/raft.go.")
	first := labtest.TestsUpTo(1)[0]
	assert.Regexp(t, fmt.Sprintf(`(?m)^  %s +0/%d +FAIL +\d+\.\d\ds +\d+\.\d\ds +0$`, first.Name(), first.Points), out)
	assert.Regexp(t, `(?m)^      lab1.go:\d+: no leader: `, out)
	assert.Contains(t, out, "      rerun: cd lab1-election && go test -run '^"+first.Name()+"$' -seed ")

	data, err := os.ReadFile(reportFile)
	require.NoError(t, err)
	var r report
	require.NoError(t, json.Unmarshal(data, &r))
	assert.Equal(t, 0, r.Score)
	assert.Equal(t, 100, r.MaxScore)
	require.Len(t, r.Labs, 1)
	assert.Len(t, r.Labs[0].Tests, len(labtest.TestsUpTo(1)))
}

// TestGradeTheReference grades the reference, which must score full marks;
// in the students' copy, which has no reference, it checks that the grader
// says so.
func TestGradeTheReference(t *testing.T) {
	root, err := grading.FindRoot(".")
	require.NoError(t, err)
	if !hasReference(root) {
		status, out := grade(t, "--reference", "lab1")
		assert.Equal(t, exitUsage, status, out)
		assert.Contains(t, out, "this copy of the course has no reference solution")
		return
	}
	status, out := grade(t, "--reference", "--jobs", "2", "lab1")
	assert.Equal(t, exitFullMarks, status, out)
	assert.Contains(t, out, "lab1 total: 100/100")
	assert.Contains(t, out, "total: 100/100")
	assert.NotContains(t, out, "FAIL")
	assert.NotContains(t, out, "Start with")
}

func TestGradeASubmissionThatDoesNotCompile(t *testing.T) {
	sub := t.TempDir()
	writeFiles(t, sub, map[string]string{"lab1-election/raft.go": "package raft\n"})
	gradescope := filepath.Join(t.TempDir(), "results.json")

	status, out := grade(t, "--submission", sub, "--gradescope", gradescope)
	assert.Equal(t, exitNotFull, status, out)
	assert.Contains(t, out, "The build failed, so no test ran")
	assert.Contains(t, out, "The tests call Make(") // the hint for a missing Make
	assert.Contains(t, out, "lab1 total: 0/100")
	assert.NotContains(t, out, "lab2 total", "only the labs the submission has are graded")

	data, err := os.ReadFile(gradescope)
	require.NoError(t, err)
	var g gradescopeResults
	require.NoError(t, json.Unmarshal(data, &g))
	assert.Equal(t, 0, g.Score)
	assert.Len(t, g.Tests, len(labtest.TestsUpTo(1)))
	assert.True(t, strings.HasPrefix(g.Output, "lab1 total: 0/100\nlab1-election does not compile"), g.Output)
}

func TestUsageErrors(t *testing.T) {
	status, out := grade(t, "lab9")
	assert.Equal(t, exitUsage, status)
	assert.Contains(t, out, `unknown lab "lab9"`)

	status, out = grade(t, "--runs", "x")
	assert.Equal(t, exitUsage, status)
	assert.Contains(t, out, "invalid value")

	status, out = grade(t, "--help")
	assert.Equal(t, exitFullMarks, status)
	assert.Contains(t, out, "usage: ./grade.sh [flags] [lab...]")
	assert.Contains(t, out, "-gradescope FILE")
}
