package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"raftlabs/grading"
)

func TestTheTableMarksAFlakyTest(t *testing.T) {
	tests := fakeSuite[:2]
	s := scoreLab(fakeLab1, tests, [][]grading.Result{runs(tests[0], true, true, true), runs(tests[1], true, false, true)}, nil)
	var b strings.Builder
	printLab(&b, s, config{runs: 3})
	out := b.String()
	assert.Regexp(t, `(?m)^  TestReElectionLab1 +0/60 +2/3 flaky `, out)
	assert.Contains(t, out, "      flaky: passed 2 of 3 runs and failed the others; it scores only if every run passes\n")
	assert.Contains(t, out, "      rerun: cd lab1-election && go test -run '^TestReElectionLab1$' -seed 101\n")
	assert.Regexp(t, `(?m)^  TestInitialElectionLab1 +40/40 +3/3 `, out)
}

func TestRunsNoteSaysHowTheClassGrades(t *testing.T) {
	var b strings.Builder
	printRunsNote(&b, config{runs: 1}, classDefaults{Runs: 10})
	assert.Contains(t, b.String(), "this class grades with 10 runs of each test (runs in grade.conf)")
	b.Reset()
	printRunsNote(&b, config{runs: 10}, classDefaults{Runs: 10})
	assert.Contains(t, b.String(), "Each test ran 10 times; a test scores only if every run passes.")
	b.Reset()
	printRunsNote(&b, config{runs: 1}, classDefaults{Runs: 1})
	assert.Empty(t, b.String())
}

// TestProgressWhenPiped checks that, off a terminal, progress is one plain
// line per step and per finished test, and no terminal control codes.
func TestProgressWhenPiped(t *testing.T) {
	var b bytes.Buffer
	g := &grader{cfg: config{runs: 2}, progress: newProgress(&b)}
	tests := fakeSuite[:2]
	done := g.counter(fakeLab1, tests)
	for _, r := range append(runs(tests[0], true, true), runs(tests[1], true, false)...) {
		done(r)
	}
	g.progress.status("not shown")
	assert.Equal(t, "lab1-election: TestInitialElectionLab1 2/2  [1/2 tests]\n"+
		"lab1-election: TestReElectionLab1 1/2 flaky  [2/2 tests]\n", b.String())
}
