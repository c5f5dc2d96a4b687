package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"raftlabs/grading"
	"raftlabs/labtest/testrun"
)

// twoLabs is lab 1 at 40/100 and lab 2 with a regression, run twice each.
func twoLabs() []labScore {
	lab1 := scoreLab(fakeLab1, fakeSuite[:2], [][]grading.Result{
		runs(fakeSuite[0], true, true), runs(fakeSuite[1], true, false),
	}, nil)
	lab2 := scoreLab(fakeLab2, fakeSuite, [][]grading.Result{
		runs(fakeSuite[0], false, false), runs(fakeSuite[1], true, true),
		runs(fakeSuite[2], true, true), runs(fakeSuite[3], true, true),
	}, nil)
	return []labScore{lab1, lab2}
}

// roundTrip writes v as the command does and reads it back as plain JSON.
func roundTrip(t *testing.T, v any) map[string]any {
	t.Helper()
	path := filepath.Join(t.TempDir(), "out.json")
	require.NoError(t, writeJSON(path, v))
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(data, &m))
	return m
}

func TestJSONReportShape(t *testing.T) {
	m := roundTrip(t, newReport(config{runs: 2}, twoLabs()))
	assert.Equal(t, 100.0, m["score"]) // 40 + 60
	assert.Equal(t, 200.0, m["max_score"])
	assert.Equal(t, 2.0, m["runs"])

	labs := m["labs"].([]any)
	require.Len(t, labs, 2)
	lab2 := labs[1].(map[string]any)
	assert.Equal(t, 2.0, lab2["lab"])
	assert.Equal(t, "lab2-replication", lab2["dir"])
	assert.Equal(t, 60.0, lab2["score"])
	assert.Equal(t, 100.0, lab2["max_score"])
	assert.NotContains(t, lab2, "build_error")

	tests := lab2["tests"].([]any)
	require.Len(t, tests, 4)
	regression := tests[0].(map[string]any)
	ref, ok := testrun.ReferenceCost("TestInitialElectionLab1")
	require.True(t, ok)
	assert.Equal(t, map[string]any{
		"name": "TestInitialElectionLab1", "lab": 1.0, "points": 40.0, "earned": -40.0, "regression": true,
		"runs": 2.0, "passes": 0.0, "flaky": false, "virtual_seconds": 2.0, "real_seconds": 1.0, "rpcs": 15.0,
		"bytes":     0.0, // no run passed
		"reference": map[string]any{"rpcs": float64(ref.RPCs), "bytes": float64(ref.Bytes), "virtual_seconds": ref.Virtual.Seconds()},
		"failures": []any{
			map[string]any{"seed": 100.0, "verdict": "no leader: 5s passed\nterms: s0 0\nnetwork: {s0}",
				"rerun": "cd lab2-replication && go test -run '^TestInitialElectionLab1$' -seed 100"},
			map[string]any{"seed": 101.0, "verdict": "no leader: 5s passed\nterms: s0 0\nnetwork: {s0}",
				"rerun": "cd lab2-replication && go test -run '^TestInitialElectionLab1$' -seed 101"},
		},
	}, regression)
	assert.Equal(t, []any{}, tests[3].(map[string]any)["failures"], "an empty list, not null")

	// Lab 1's second test passed one run of two: flaky, with its failure's seed and rerun.
	flaky := labs[0].(map[string]any)["tests"].([]any)[1].(map[string]any)
	assert.Equal(t, true, flaky["flaky"])
	assert.Equal(t, 1.0, flaky["passes"])
	assert.Equal(t, 0.0, flaky["earned"])
	failure := flaky["failures"].([]any)[0].(map[string]any)
	assert.Equal(t, 101.0, failure["seed"])
	assert.Equal(t, "cd lab1-election && go test -run '^TestReElectionLab1$' -seed 101", failure["rerun"])
}

func TestJSONReportOfABuildError(t *testing.T) {
	s := scoreLab(fakeLab1, fakeSuite[:2], nil, errors.New("lab1-election does not compile"))
	m := roundTrip(t, newReport(config{runs: 1}, []labScore{s}))
	lab := m["labs"].([]any)[0].(map[string]any)
	assert.Equal(t, "lab1-election does not compile", lab["build_error"])
	assert.Equal(t, 0.0, lab["score"])
	assert.Len(t, lab["tests"], 2)
}

func TestGradescopeShape(t *testing.T) {
	m := roundTrip(t, newGradescope(config{}, twoLabs(), time.Now().Add(-90*time.Second)))
	assert.Equal(t, 100.0, m["score"])
	assert.Equal(t, 90.0, m["execution_time"])
	assert.Equal(t, "visible", m["visibility"])
	assert.Equal(t, "lab1 total: 40/100\nlab2 total: 60/100", m["output"])

	tests := m["tests"].([]any)
	// Lab 1's two tests, lab 2's failing regression and its own two: passing
	// regressions are not listed again.
	require.Len(t, tests, 5)
	sum := 0.0
	for _, x := range tests {
		test := x.(map[string]any)
		for _, key := range []string{"name", "score", "max_score", "status", "output"} {
			assert.Contains(t, test, key)
		}
		sum += test["score"].(float64)
	}
	assert.Equal(t, m["score"], sum, "the tests' scores add up to the score")

	failed := tests[1].(map[string]any)
	assert.Equal(t, "lab1: TestReElectionLab1", failed["name"])
	assert.Equal(t, 0.0, failed["score"])
	assert.Equal(t, 60.0, failed["max_score"])
	assert.Equal(t, "failed", failed["status"])
	assert.Contains(t, failed["output"], "1 of 2 runs passed")
	assert.Contains(t, failed["output"], "Flaky: it passed some runs and failed others.")
	assert.Contains(t, failed["output"], "rerun: cd lab1-election && go test -run '^TestReElectionLab1$' -seed 101")

	regression := tests[2].(map[string]any)
	assert.Equal(t, "lab2: TestInitialElectionLab1 (a lab 1 test, failing in lab2-replication)", regression["name"])
	assert.Equal(t, -40.0, regression["score"])
	assert.Equal(t, 0.0, regression["max_score"])
	assert.Contains(t, regression["output"], "cost 40 points in lab2-replication")
}

// TestExecutionTimeIsTheWholeRun checks results.json's execution_time: the
// seconds since run_autograder started (RAFTLABS_STARTED), rounded, so a
// 4.6 s run reads 5, not the 1 s of the grader's own part.
func TestExecutionTimeIsTheWholeRun(t *testing.T) {
	t.Setenv("RAFTLABS_STARTED", fmt.Sprintf("%.3f", float64(time.Now().Add(-4600*time.Millisecond).UnixNano())/1e9))
	assert.Equal(t, 5, executionTime(gradingStarted()))
	t.Setenv("RAFTLABS_STARTED", "")
	assert.Equal(t, 0, executionTime(gradingStarted()), "without it, from the grader's own start")
	t.Setenv("RAFTLABS_STARTED", "1765000000.N") // date +%s.%N where %N is not known
	assert.Equal(t, 0, executionTime(gradingStarted()))
}
