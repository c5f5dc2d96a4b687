package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"raftlabs/labtest/testrun"
)

// report is the --json file: every graded lab, every test run in it.
type report struct {
	Reference  bool        `json:"reference"`
	Submission string      `json:"submission,omitempty"`
	Runs       int         `json:"runs"`
	Race       bool        `json:"race"`
	Realtime   bool        `json:"realtime"`
	Score      int         `json:"score"`
	MaxScore   int         `json:"max_score"`
	Labs       []reportLab `json:"labs"`
}

type reportLab struct {
	Lab        int          `json:"lab"`
	Dir        string       `json:"dir"`
	Title      string       `json:"title"`
	Score      int          `json:"score"`
	MaxScore   int          `json:"max_score"`
	BuildError string       `json:"build_error,omitempty"`
	Rejected   string       `json:"rejected,omitempty"` // what the allowlist rejected; no test ran
	Tests      []reportTest `json:"tests"`
}

type reportTest struct {
	Name string `json:"name"`
	Lab  int    `json:"lab"`
	// Points is what the test is worth in its own lab; Earned what it won
	// (or, for an earlier lab's test, lost) in this one.
	Points         int     `json:"points"`
	Earned         int     `json:"earned"`
	Regression     bool    `json:"regression"`
	Runs           int     `json:"runs"`
	Passes         int     `json:"passes"`
	Flaky          bool    `json:"flaky"`           // some runs passed and some failed
	VirtualSeconds float64 `json:"virtual_seconds"` // mean of the runs
	RealSeconds    float64 `json:"real_seconds"`    // mean of the runs
	RPCs           int     `json:"rpcs"`            // mean of the runs
	Bytes          int64   `json:"bytes"`           // mean of the passing runs' request bytes
	// Reference is the reference solution's recorded cost in this test
	// (testrun.ReferenceCost), and CostNote says when the passing runs
	// took twice as much or more. Neither costs points.
	Reference *reportCost     `json:"reference,omitempty"`
	CostNote  string          `json:"cost_note,omitempty"`
	Failures  []reportFailure `json:"failures"`
}

type reportCost struct {
	RPCs           int     `json:"rpcs"`
	Bytes          int64   `json:"bytes"`
	VirtualSeconds float64 `json:"virtual_seconds"`
}

type reportFailure struct {
	Seed    int64  `json:"seed"`
	Verdict string `json:"verdict"`
	Rerun   string `json:"rerun"`
}

func newReport(cfg config, scores []labScore) report {
	r := report{
		Reference:  cfg.reference,
		Submission: cfg.submission,
		Runs:       cfg.runs,
		Race:       cfg.race,
		Realtime:   cfg.realtime,
		Labs:       []reportLab{},
	}
	for _, s := range scores {
		lab := reportLab{
			Lab: s.Lab.Number, Dir: s.Lab.Dir, Title: s.Lab.Title,
			Score: s.Score, MaxScore: s.Max, BuildError: s.BuildError, Rejected: s.Rejected,
			Tests: []reportTest{},
		}
		for _, ts := range s.Tests {
			virtual, real, rpcs := ts.Mean()
			t := reportTest{
				Name: ts.Test.Name(), Lab: ts.Test.Lab, Points: ts.Test.Points, Earned: ts.Earned,
				Regression: ts.Regression, Runs: len(ts.Results), Passes: ts.Passes(), Flaky: ts.Flaky(),
				VirtualSeconds: virtual.Seconds(), RealSeconds: real.Seconds(), RPCs: rpcs,
				Bytes: ts.Cost().Bytes, CostNote: ts.CostNote(), Failures: []reportFailure{},
			}
			if ref, ok := testrun.ReferenceCost(ts.Test.Name()); ok {
				t.Reference = &reportCost{RPCs: ref.RPCs, Bytes: ref.Bytes, VirtualSeconds: ref.Virtual.Seconds()}
			}
			for _, f := range ts.Failures() {
				t.Failures = append(t.Failures, reportFailure{Seed: f.Seed, Verdict: f.Verdict, Rerun: rerun(s.Lab, f, cfg)})
			}
			lab.Tests = append(lab.Tests, t)
		}
		r.Labs = append(r.Labs, lab)
		r.Score += s.Score
		r.MaxScore += s.Max
	}
	return r
}

// gradescopeResults is Gradescope's results.json: the score, and a test per
// graded test of each lab, plus one per failing earlier-lab test with the
// points it cost (a negative score), so the tests' scores add up to the
// score.
type gradescopeResults struct {
	Score         int              `json:"score"`
	ExecutionTime int              `json:"execution_time"` // seconds
	Output        string           `json:"output"`
	Visibility    string           `json:"visibility"`
	Tests         []gradescopeTest `json:"tests"`
}

type gradescopeTest struct {
	Name     string `json:"name"`
	Score    int    `json:"score"`
	MaxScore int    `json:"max_score"`
	Status   string `json:"status"` // "passed" or "failed"
	Output   string `json:"output"`
}

// executionTime is results.json's execution_time: the whole grading's
// seconds, rounded (Gradescope takes an integer). It counts from started
// (gradingStarted).
func executionTime(started time.Time) int {
	return int(math.Round(time.Since(started).Seconds()))
}

// gradingStarted is when the grading began: RAFTLABS_STARTED (Unix
// seconds, fractions allowed), which run_autograder sets before grade.sh
// builds the grader, or else now.
func gradingStarted() time.Time {
	if v, err := strconv.ParseFloat(os.Getenv("RAFTLABS_STARTED"), 64); err == nil && v > 0 {
		if t := time.Unix(0, int64(v*1e9)); t.Before(time.Now()) {
			return t
		}
	}
	return time.Now()
}

func newGradescope(cfg config, scores []labScore, started time.Time) gradescopeResults {
	g := gradescopeResults{ExecutionTime: executionTime(started), Visibility: "visible", Tests: []gradescopeTest{}}
	var summary []string
	for _, s := range scores {
		g.Score += s.Score
		summary = append(summary, fmt.Sprintf("lab%d total: %d/%d", s.Lab.Number, s.Score, s.Max))
		if s.BuildError != "" {
			summary = append(summary, s.BuildError)
		}
		if s.Rejected != "" {
			summary = append(summary, rejectedHeading(s.Lab), s.Rejected)
		}
		for _, ts := range s.Tests {
			t := gradescopeTest{
				Name:   fmt.Sprintf("lab%d: %s", s.Lab.Number, ts.Test.Name()),
				Score:  ts.Earned,
				Status: "passed",
			}
			switch {
			case s.BuildError != "" && !ts.Regression:
				t.MaxScore, t.Status = ts.Test.Points, "failed"
				t.Output = s.Lab.Dir + " does not compile: see the output at the top."
			case s.Rejected != "" && !ts.Regression:
				t.MaxScore, t.Status = ts.Test.Points, "failed"
				t.Output = s.Lab.Dir + " uses what a submission may not, so no test ran: see the output at the top."
			case ts.Regression && !ts.Failed():
				continue // a lab's own tests are reported in its own results
			case ts.Regression:
				t.Name += fmt.Sprintf(" (a lab %d test, failing in %s)", ts.Test.Lab, s.Lab.Dir)
				t.Status = "failed"
				t.Output = gradescopeOutput(cfg, s, ts)
			default:
				t.MaxScore = ts.Test.Points
				if !ts.Passed() {
					t.Status = "failed"
				}
				t.Output = gradescopeOutput(cfg, s, ts)
			}
			g.Tests = append(g.Tests, t)
		}
	}
	g.Output = strings.Join(summary, "\n")
	return g
}

// gradescopeOutput is what a student reads under a test in Gradescope.
func gradescopeOutput(cfg config, s labScore, ts testScore) string {
	virtual, _, rpcs := ts.Mean()
	text := fmt.Sprintf("%d of %d runs passed; %.2fs virtual time and %d RPCs a run.",
		ts.Passes(), len(ts.Results), virtual.Seconds(), rpcs)
	if ts.Flaky() {
		text += "\nFlaky: it passed some runs and failed others. A test scores only if every run passes; " +
			"rerun a failed run with its seed below, and look for a race or a timing assumption."
	}
	if ts.Regression {
		text += fmt.Sprintf("\nA lab %d test must keep passing in later labs: this failure cost %d points in %s.",
			ts.Test.Lab, -ts.Earned, s.Lab.Dir)
	}
	for _, f := range ts.Failures() {
		text += fmt.Sprintf("\n\nSeed %d:\n%s\nrerun: %s", f.Seed, f.Verdict, rerun(s.Lab, f, cfg))
	}
	return text
}

func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}
