package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"raftlabs/grading"
	"raftlabs/labtest"
	"raftlabs/labtest/testrun"
)

// runs makes the results of one test's runs: true for a pass.
func runs(test labtest.Test, passed ...bool) []grading.Result {
	var rs []grading.Result
	for i, p := range passed {
		r := grading.Result{Test: test, Passed: p, Seed: int64(100 + i), Virtual: 2 * time.Second, Real: time.Second, RPCs: 10 * (i + 1)}
		if !p {
			r.Verdict = "no leader: 5s passed\nterms: s0 0\nnetwork: {s0}"
		}
		rs = append(rs, r)
	}
	return rs
}

// fakeSuite is a small suite of two labs for the scoring rules.
var fakeSuite = []labtest.Test{
	{Lab: 1, Scenario: labtest.InitialElection, Points: 40},
	{Lab: 1, Scenario: labtest.ReElection, Points: 60},
	{Lab: 2, Scenario: labtest.BasicAgree, Points: 30},
	{Lab: 2, Scenario: labtest.Figure8, Points: 70},
}

var fakeLab1, fakeLab2 = labtest.Labs[0], labtest.Labs[1]

func TestScoreOwnTests(t *testing.T) {
	tests := fakeSuite[:2]
	s := scoreLab(fakeLab1, tests, [][]grading.Result{runs(tests[0], true), runs(tests[1], false)}, nil)
	assert.Equal(t, 40, s.Score)
	assert.Equal(t, 100, s.Max)
	assert.Equal(t, 40, s.Tests[0].Earned)
	assert.Equal(t, 0, s.Tests[1].Earned)
}

func TestScoreNeedsEveryRunToPass(t *testing.T) {
	tests := fakeSuite[:2]
	s := scoreLab(fakeLab1, tests, [][]grading.Result{
		runs(tests[0], true, true, true),
		runs(tests[1], true, false, true),
	}, nil)
	assert.Equal(t, 40, s.Score)
	assert.Equal(t, 2, s.Tests[1].Passes())
	assert.Len(t, s.Tests[1].Failures(), 1)
	assert.Equal(t, "2/3 flaky", resultColumn(s.Tests[1], 3))
	assert.True(t, s.Tests[1].Flaky())
	assert.False(t, s.Tests[0].Flaky())
	assert.Equal(t, "3/3", resultColumn(s.Tests[0], 3))

	virtual, real, rpcs := s.Tests[1].Mean()
	assert.Equal(t, 2*time.Second, virtual)
	assert.Equal(t, time.Second, real)
	assert.Equal(t, 20, rpcs) // (10+20+30)/3
}

func TestScoreRegressionCostsItsPoints(t *testing.T) {
	s := scoreLab(fakeLab2, fakeSuite, [][]grading.Result{
		runs(fakeSuite[0], false), // lab 1's 40 points, lost in lab 2
		runs(fakeSuite[1], true),
		runs(fakeSuite[2], true),
		runs(fakeSuite[3], true),
	}, nil)
	assert.Equal(t, 100, s.Max, "a lab is out of its own tests' points")
	assert.Equal(t, 60, s.Score)
	assert.Equal(t, -40, s.Tests[0].Earned)
	assert.True(t, s.Tests[0].Regression)
	assert.Equal(t, "-40", pointsColumn(s.Tests[0]))
	assert.Equal(t, "-", pointsColumn(s.Tests[1]))
	assert.Equal(t, "70/70", pointsColumn(s.Tests[3]))
}

func TestScoreNeverBelowZero(t *testing.T) {
	s := scoreLab(fakeLab2, fakeSuite, [][]grading.Result{
		runs(fakeSuite[0], false), // 40
		runs(fakeSuite[1], false), // 60
		runs(fakeSuite[2], true),  // +30
		runs(fakeSuite[3], false),
	}, nil)
	assert.Equal(t, 0, s.Score)
	// The first regression takes the 30 there are; the second finds none.
	assert.Equal(t, -30, s.Tests[0].Earned)
	assert.Equal(t, 0, s.Tests[1].Earned)
	sum := 0
	for _, ts := range s.Tests {
		sum += ts.Earned
	}
	assert.Equal(t, s.Score, sum, "the tests' points add up to the lab's")
}

func TestScoreBuildErrorIsZero(t *testing.T) {
	s := scoreLab(fakeLab2, fakeSuite, nil, errors.New("lab2-replication does not compile"))
	assert.Equal(t, 0, s.Score)
	assert.Equal(t, 100, s.Max)
	assert.Equal(t, "lab2-replication does not compile", s.BuildError)
	for _, ts := range s.Tests {
		assert.False(t, ts.Passed())
		assert.False(t, ts.Failed(), "a test that never ran has not failed")
	}
}

func TestRerunCommand(t *testing.T) {
	r := runs(fakeSuite[0], false)[0]
	assert.Equal(t, "cd lab1-election && go test -run '^TestInitialElectionLab1$' -seed 100",
		rerun(fakeLab1, r, config{}))
	assert.Equal(t, "cd lab1-election && go test -run '^TestInitialElectionLab1$' -seed 100 -realtime -race",
		rerun(fakeLab1, r, config{race: true, realtime: true}))
}

// TestTotalsSayWhenPointsDoNotAddUp reweights one test as an instructor
// might and checks that the grader says the lab no longer sums to its
// total, naming both numbers, and says nothing when it does.
func TestTotalsSayWhenPointsDoNotAddUp(t *testing.T) {
	var quiet strings.Builder
	printPointsCheck(&quiet)
	assert.Empty(t, quiet.String())

	saved := labtest.Suite
	t.Cleanup(func() { labtest.Suite = saved })
	labtest.Suite = append([]labtest.Test(nil), saved...)
	labtest.Suite[0].Points += 5
	var out strings.Builder
	printPointsCheck(&out)
	assert.Contains(t, out.String(), "The course's points do not add up")
	assert.Contains(t, out.String(), "lab1's tests are worth 105 points in all, but the lab is out of 100")
}

// TestCostNote checks that a passing test whose runs took far more than the
// reference's recorded cost gets a note under its row and in the JSON
// report, and that it costs no points.
func TestCostNote(t *testing.T) {
	test := fakeSuite[1] // ReElection
	ref, ok := testrun.ReferenceCost(test.Name())
	require.True(t, ok)
	heavy := runs(test, true, true)
	for i := range heavy {
		heavy[i].RPCs = 3 * ref.RPCs
		heavy[i].Bytes = ref.Bytes
		heavy[i].Virtual = ref.Virtual
	}
	s := scoreLab(fakeLab1, fakeSuite[:2], [][]grading.Result{runs(fakeSuite[0], true, true), heavy}, nil)
	assert.Equal(t, 100, s.Score, "a note costs no points")

	var b bytes.Buffer
	printLab(&b, s, config{runs: 2})
	assert.Contains(t, b.String(), fmt.Sprintf("\n      note (no points lost): 3.0× the reference's RPCs (%d against %d)\n", 3*ref.RPCs, ref.RPCs),
		"the note under the test's row")
	assert.Equal(t, 1, strings.Count(b.String(), "note (no points lost)"), "only the test that cost more")

	m := roundTrip(t, newReport(config{runs: 2}, []labScore{s}))
	reTest := m["labs"].([]any)[0].(map[string]any)["tests"].([]any)[1].(map[string]any)
	assert.Contains(t, reTest["cost_note"], "3.0× the reference's RPCs")
	assert.NotContains(t, m["labs"].([]any)[0].(map[string]any)["tests"].([]any)[0], "cost_note")
}

// TestForgetTraces checks that a verdict's trace lines that point into the
// grading's own folder, removed when the grading ends, say so instead.
func TestForgetTraces(t *testing.T) {
	dir := "/tmp/raftlabs-grade-1/traces"
	rs := runs(fakeSuite[0], false)
	rs[0].Verdict = "no leader: 5s passed\n  trace: " + dir + "/TestX-seed1.jsonl\n  see it: go run raftlabs/cmd/traceview " + dir + "/TestX-seed1.jsonl   (-text: columns here)"
	rs[0].Output = "Test TestX: seed 1\n" + rs[0].Verdict + "\n  rerun: go test"
	s := scoreLab(fakeLab1, fakeSuite[:1], [][]grading.Result{rs}, nil)
	forgetTraces(&s, dir, true)
	for _, text := range []string{s.Tests[0].Results[0].Verdict, s.Tests[0].Results[0].Output} {
		assert.NotContains(t, text, dir, "no path into the removed folder")
		assert.Contains(t, text, "\n  trace: not kept: it was in the grading's temporary folder (grade with --traces DIR to keep the traces)")
		assert.NotContains(t, text, "see it:")
	}
	assert.Contains(t, s.Tests[0].Results[0].Output, "\n  rerun: go test", "the other lines stay")
}

// TestTracesKeepWithinTheirBudget checks that a grading's traces past
// traceBudget are removed, newest first, and that the verdicts of the
// removed ones say so while the kept ones still name their file.
func TestTracesKeepWithinTheirBudget(t *testing.T) {
	dir := t.TempDir()
	old, recent := filepath.Join(dir, "TestA-seed1.jsonl"), filepath.Join(dir, "TestB-seed2.jsonl")
	require.NoError(t, os.WriteFile(old, make([]byte, traceBudget*3/4), 0o644))
	require.NoError(t, os.Chtimes(old, time.Now().Add(-time.Minute), time.Now().Add(-time.Minute)))
	require.NoError(t, os.WriteFile(recent, make([]byte, traceBudget/2), 0o644))
	keepTracesWithinBudget(dir)
	assert.FileExists(t, old, "the earlier failure's trace is kept")
	assert.NoFileExists(t, recent, "the newest trace, past the budget, is removed")

	rs := runs(fakeSuite[0], false, false)
	for k, path := range []string{old, recent} {
		rs[k].Verdict = "no leader\n  trace: " + path + "\n  see it: go run raftlabs/cmd/traceview " + path + "   (-text: columns here)"
	}
	s := scoreLab(fakeLab1, fakeSuite[:1], [][]grading.Result{rs}, nil)
	forgetTraces(&s, dir, false)
	assert.Contains(t, s.Tests[0].Results[0].Verdict, "trace: "+old, "a kept trace is named")
	assert.Contains(t, s.Tests[0].Results[0].Verdict, "see it: go run raftlabs/cmd/traceview "+old)
	assert.Contains(t, s.Tests[0].Results[1].Verdict, "  trace: not kept: the traces of this grading had reached their budget of 32 MiB")
	assert.NotContains(t, s.Tests[0].Results[1].Verdict, recent)
}

// TestVerboseShowsEveryFailedRunsVerdict checks -v's section for each
// failed run: the table names only the first failure, and says "-v shows
// every failure", so each failed run's section starts with the harness's
// verdict, whole, before what the process printed; a passing run has none.
func TestVerboseShowsEveryFailedRunsVerdict(t *testing.T) {
	results := runs(fakeSuite[0], false, true, false)
	results[0].Output = "raft: s1 starting\n"
	results[2].Verdict = "term 3 has two leaders: s1 and s4\nterms: s1 3, s4 3"
	results[2].Output = "PASS\n" // what the code under test printed counts for nothing
	s := scoreLab(fakeLab1, fakeSuite[:1], [][]grading.Result{results}, nil)
	var out bytes.Buffer
	printTable(&out, s, config{runs: 3, verbose: true})
	text := out.String()

	assert.Contains(t, text, "--- TestInitialElectionLab1, run 1 of 3, seed 100 ---\n"+
		"verdict:\n    no leader: 5s passed\n    terms: s0 0\n    network: {s0}\n"+
		"output of the test's process:\nraft: s1 starting\n")
	assert.Contains(t, text, "--- TestInitialElectionLab1, run 3 of 3, seed 102 ---\n"+
		"verdict:\n    term 3 has two leaders: s1 and s4\n    terms: s1 3, s4 3\n"+
		"output of the test's process:\nPASS\n")
	assert.NotContains(t, text, "run 2 of 3", "the passing run has no section")
	assert.Contains(t, text, "(-v shows each failure's verdict and output)")
}
