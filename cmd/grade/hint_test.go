package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"raftlabs/grading"
)

// printed is what printLab writes for one lab scored from results.
func printed(s labScore) string {
	var b strings.Builder
	printLab(&b, s, config{runs: 1})
	return b.String()
}

func TestStartHintOnlyWhenNothingRan(t *testing.T) {
	tests := fakeSuite[:2]
	silent := func(rs []grading.Result) []grading.Result {
		for i := range rs {
			rs[i].RPCs = 0
		}
		return rs
	}

	// An empty skeleton: nothing ran, so where to start is the advice.
	empty := scoreLab(fakeLab1, tests, [][]grading.Result{silent(runs(tests[0], false)), silent(runs(tests[1], false))}, nil)
	assert.Contains(t, printed(empty), "Start with docs/lab1-election.md")

	// A complete Raft with one global defect (a busy loop, a leak): its
	// servers ran, so the start hint would mislead.
	defect := scoreLab(fakeLab1, tests, [][]grading.Result{runs(tests[0], false), runs(tests[1], false)}, nil)
	out := printed(defect)
	assert.NotContains(t, out, "Start with docs/")
	assert.Contains(t, out, "Every test failed, though the servers ran: look for one cause they share")
}
