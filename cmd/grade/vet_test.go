package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"raftlabs/grading"
	"raftlabs/labtest"
)

func TestFindingsAreWarningsUnderTheTotal(t *testing.T) {
	lab, err := labtest.FindLab("lab1")
	assert.NoError(t, err)
	var b bytes.Buffer
	printFindings(&b, lab, nil)
	assert.Empty(t, b.String(), "no findings, no words")

	printFindings(&b, lab, []grading.Finding{{Check: "spinloop", File: "lab1-election/raft.go", Line: 94,
		Message: "loop in rf.ticker never sleeps or blocks"}})
	assert.Equal(t, "labvet warnings for lab1-election (they cost no points; docs/labvet.md explains each check):\n"+
		"  lab1-election/raft.go:94: loop in rf.ticker never sleeps or blocks\n\n", b.String())
}

func TestExplainVerdictsTouchesOnlyFailedRuns(t *testing.T) {
	stalled := "virtual time stopped at 0.40s: ...\ns0: goroutine 7 is running: it never blocks: a loop that does not sleep"
	s := labScore{Tests: []testScore{{Results: []grading.Result{
		{Passed: true, Verdict: ""},
		{Passed: false, Verdict: stalled},
	}}}}
	before := s.Score
	explainVerdicts(&s, []grading.Finding{{Check: "spinloop", File: "lab1-election/raft.go", Line: 94,
		Message: "loop in rf.ticker never sleeps or blocks"}})
	rs := s.Tests[0].Results
	assert.Empty(t, rs[0].Verdict)
	lines := strings.Split(rs[1].Verdict, "\n")
	assert.Equal(t, "virtual time stopped at 0.40s: ...", lines[0])
	assert.Equal(t, "labvet points at the likely cause: lab1-election/raft.go:94: loop in rf.ticker never sleeps or blocks", lines[1])
	assert.Equal(t, before, s.Score, "a finding costs no points")
}
