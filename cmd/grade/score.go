package main

import (
	"errors"
	"time"

	"raftlabs/grading"
	"raftlabs/labtest"
	"raftlabs/labtest/testrun"
)

// labScore is one lab graded: each test's runs and what they are worth.
type labScore struct {
	Lab        labtest.Lab
	BuildError string // the lab did not compile; no test ran
	// Rejected is why the student's files were not built: what they use
	// that the allowlist does not allow (grading.CheckImports). No test ran.
	Rejected   string
	Tests      []testScore
	Score, Max int
}

// testScore is one test's runs in one lab's folder.
type testScore struct {
	Test labtest.Test
	// Regression is true for an earlier lab's test, run in this lab's
	// folder: it earns nothing here, and costs its points if it fails.
	Regression bool
	Results    []grading.Result
	// Earned is the points the test won (its own lab's tests) or lost (a
	// regression, 0 or less) in this lab. A lab's Earned add up to its Score.
	Earned int
}

// scoreLab scores lab from results[i], the runs of tests[i]. With a
// buildErr (a *grading.ImportError when the allowlist rejected the
// student's files) there are no results and the lab scores 0.
//
// A test scores its points only if every run passes. An earlier lab's test
// that fails costs its points, but the lab never goes below 0: each
// regression, in suite order, takes what it can of what is left.
func scoreLab(lab labtest.Lab, tests []labtest.Test, results [][]grading.Result, buildErr error) labScore {
	s := labScore{Lab: lab}
	var rejected *grading.ImportError
	switch {
	case errors.As(buildErr, &rejected):
		s.Rejected = buildErr.Error()
	case buildErr != nil:
		s.BuildError = buildErr.Error()
	}
	for i, t := range tests {
		ts := testScore{Test: t, Regression: t.Lab < lab.Number}
		if i < len(results) {
			ts.Results = results[i]
		}
		if !ts.Regression {
			s.Max += t.Points
			if ts.Passed() {
				ts.Earned = t.Points
				s.Score += t.Points
			}
		}
		s.Tests = append(s.Tests, ts)
	}
	for i := range s.Tests {
		if ts := &s.Tests[i]; ts.Regression && ts.Failed() {
			lost := min(ts.Test.Points, s.Score)
			ts.Earned = -lost
			s.Score -= lost
		}
	}
	return s
}

// Passes is how many runs passed.
func (ts testScore) Passes() int {
	n := 0
	for _, r := range ts.Results {
		if r.Passed {
			n++
		}
	}
	return n
}

// Passed reports whether the test ran and every run passed.
func (ts testScore) Passed() bool {
	return len(ts.Results) > 0 && ts.Passes() == len(ts.Results)
}

// Failed reports whether some run failed (a test that never ran, because
// its lab did not compile or was rejected, has not failed).
func (ts testScore) Failed() bool {
	return ts.Passes() < len(ts.Results)
}

// Flaky reports whether the test passed some runs and failed others: code
// that passes one run may still fail a grader's. A flaky test scores
// nothing, as any failing test does; the table and reports name it.
func (ts testScore) Flaky() bool {
	n := ts.Passes()
	return n > 0 && n < len(ts.Results)
}

// Failures returns the runs that failed.
func (ts testScore) Failures() []grading.Result {
	var fs []grading.Result
	for _, r := range ts.Results {
		if !r.Passed {
			fs = append(fs, r)
		}
	}
	return fs
}

// Mean returns the mean virtual time, real time and RPC count of the runs.
func (ts testScore) Mean() (virtual, real time.Duration, rpcs int) {
	n := len(ts.Results)
	if n == 0 {
		return 0, 0, 0
	}
	for _, r := range ts.Results {
		virtual += r.Virtual
		real += r.Real
		rpcs += r.RPCs
	}
	return virtual / time.Duration(n), real / time.Duration(n), rpcs / n
}

// Cost is what the test's passing runs took, on average: RPCs, request
// bytes and time on the test's clock (0 on the real clock).
func (ts testScore) Cost() testrun.Cost {
	c, _ := grading.PassedCost(ts.Results)
	return c
}

// CostNote says how far the test's passing runs took more than the
// reference's recorded cost, when it is testrun.CostFactor times or more
// (testrun.CostNote); "" otherwise, and when no run passed.
func (ts testScore) CostNote() string {
	ref, ok := testrun.ReferenceCost(ts.Test.Name())
	if !ok || ts.Passes() == 0 {
		return ""
	}
	return testrun.CostNote(ts.Cost(), ref)
}

// rerun is the command that reruns a failed run with its seed, from the
// course's root.
func rerun(lab labtest.Lab, r grading.Result, cfg config) string {
	return testrun.RerunCommand(lab.Dir, r.Test.Name(), r.Seed, cfg.realtime, cfg.race)
}
