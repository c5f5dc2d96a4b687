package main

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"raftlabs/grading"
	"raftlabs/labtest"
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
