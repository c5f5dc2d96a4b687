package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"raftlabs/labtest"
)

// Fake student trees, built from the reference handed in as a student's
// package raft, with one misbehaviour put in: Make calls misbehave(len(peers),
// me) first. Lab 1 boots five servers in one test only,
// TestUnreliableElectionLab1, so a misbehaviour on five servers should cost
// that test and nothing else.
const (
	fiveServerTest = "TestUnreliableElectionLab1"

	panics = `package raft

func misbehave(servers, me int) {
	if servers == 5 && me == 0 {
		panic("a bug that only five servers meet")
	}
}
`
	hangs = `package raft

func misbehave(servers, me int) {
	if servers == 5 && me == 2 {
		select {} // Make never returns
	}
}
`
	busyLoops = `package raft

func misbehave(servers, me int) {
	if servers == 5 && me == 0 {
		go func() {
			for n := 0; ; n++ { // never sleeps: virtual time stops
			}
		}()
	}
}
`
	// flaky fails about one run in two: each run is a process of its own,
	// with math/rand seeded afresh.
	flaky = `package raft

import "math/rand/v2"

func misbehave(servers, me int) {
	if servers == 5 && me == 0 && rand.IntN(2) == 0 {
		panic("a bug that shows one run in two")
	}
}
`
)

// fakeTree writes a submission with lab 1 as the reference plus misbehave's
// source (none: no misbehaviour) and returns its folder.
func fakeTree(t *testing.T, misbehave string) string {
	t.Helper()
	root := courseRoot(t)
	if !isDir(filepath.Join(root, "solutions")) {
		t.Skip("needs the reference solution (solutions/), which a students' copy does not have")
	}
	sub := t.TempDir()
	lab := filepath.Join(sub, labtest.Labs[0].Dir)
	copyGoFiles(t, filepath.Join(root, "solutions"), lab, func(src string) string {
		src = strings.Replace(src, "package solutions", "package raft", 1)
		if misbehave != "" {
			const start = "applyCh chan raftapi.ApplyMsg) *Raft {\n"
			require.Contains(t, src+start, start)
			src = strings.Replace(src, start, start+"\tmisbehave(len(peers), me)\n", 1)
		}
		return src
	})
	if misbehave != "" {
		src, err := os.ReadFile(filepath.Join(lab, "raft.go"))
		require.NoError(t, err)
		require.Contains(t, string(src), "misbehave(len(peers), me)", "the reference's Make changed: fakeTree cannot put the misbehaviour in")
		writeFiles(t, lab, map[string]string{"misbehave.go": misbehave})
	}
	return sub
}

// gradeTree grades a submission through the command and returns its JSON
// report and the table.
func gradeTree(t *testing.T, sub string, args ...string) (report, string) {
	t.Helper()
	jsonFile := filepath.Join(t.TempDir(), "report.json")
	_, out := grade(t, append([]string{"--submission", sub, "--jobs", "2", "--json", jsonFile}, args...)...)
	var r report
	readJSON(t, jsonFile, &r)
	require.Len(t, r.Labs, 1, out)
	return r, out
}

// someTests are the tests the fake trees are graded on, to keep this
// cheap: the five-server test and three others, of three and seven servers.
const someTests = "^Test(InitialElection|ReElection|UnreliableElection|ManyElections)Lab1$"

// TestAMisbehaviourCostsOnlyItsTest grades three trees whose code panics,
// hangs or busy-loops in one test: each loses that test's points and no
// other, with a verdict that says what happened.
func TestAMisbehaviourCostsOnlyItsTest(t *testing.T) {
	if testing.Short() {
		t.Skip("grades four tests of lab 1 three times")
	}
	for _, c := range []struct{ name, src, verdict string }{
		{"panics", panics, "a bug that only five servers meet"},
		{"hangs", hangs, ""},
		{"busy-loops", busyLoops, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, out := gradeTree(t, fakeTree(t, c.src), "--run", someTests)
			lab := r.Labs[0]
			var failed []string
			for _, test := range lab.Tests {
				if test.Passes < test.Runs {
					failed = append(failed, test.Name)
					require.NotEmpty(t, test.Failures, out)
					assert.Contains(t, test.Failures[0].Verdict, c.verdict, out)
					assert.Contains(t, test.Failures[0].Rerun, "go test -run '^"+fiveServerTest+"$' -seed ")
				}
			}
			assert.Equal(t, []string{fiveServerTest}, failed, out)
			assert.Len(t, lab.Tests, 4)
			assert.Equal(t, lab.MaxScore-pointsOf(fiveServerTest), lab.Score, out)
			t.Logf("%s: %s", c.name, firstLine(lab.Tests[indexOf(lab, fiveServerTest)].Failures[0].Verdict))
		})
	}
}

// TestAFlakyTestIsMarked grades a tree that fails one test about one run
// in two, 12 runs: the test is marked flaky (all 12 runs passing or
// failing has a chance of 1 in 2048), scores nothing, and each failed run
// has its seed and rerun command.
func TestAFlakyTestIsMarked(t *testing.T) {
	if testing.Short() {
		t.Skip("grades one test 12 times")
	}
	r, out := gradeTree(t, fakeTree(t, flaky), "--runs", "12", "--run", "^"+fiveServerTest+"$")
	lab := r.Labs[0]
	require.Len(t, lab.Tests, 1)
	test := lab.Tests[0]
	assert.True(t, test.Flaky, out)
	assert.Equal(t, 0, test.Earned)
	assert.Len(t, test.Failures, test.Runs-test.Passes)
	for _, f := range test.Failures {
		assert.Equal(t, fmt.Sprintf("cd lab1-election && go test -run '^%s$' -seed %d", fiveServerTest, f.Seed), f.Rerun)
	}
	assert.Regexp(t, fmt.Sprintf(`(?m)^  %s +0/%d +\d+/12 flaky `, fiveServerTest, pointsOf(fiveServerTest)), out)
	assert.Contains(t, out, "flaky: passed ")
}

// TestEditingTheCourseGainsNothing grades the skeleton with the course's
// tests, harness, network and settings edited to pass everything: the
// grade equals the untouched skeleton's, test by test.
func TestEditingTheCourseGainsNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("grades four tests of lab 1 twice")
	}
	root := courseRoot(t)
	skeleton, err := os.ReadFile(filepath.Join(root, labtest.Labs[0].Dir, "raft.go"))
	require.NoError(t, err)
	var fakeSuiteFile strings.Builder
	fakeSuiteFile.WriteString("package raft\n\nimport \"testing\"\n\n")
	for _, test := range labtest.TestsUpTo(1) {
		fmt.Fprintf(&fakeSuiteFile, "func %s(t *testing.T) {}\n", test.Name())
	}
	untouched, cheat := t.TempDir(), t.TempDir()
	writeFiles(t, untouched, map[string]string{"lab1-election/raft.go": string(skeleton)})
	writeFiles(t, cheat, map[string]string{
		"lab1-election/raft.go":       string(skeleton),
		"lab1-election/suite_test.go": fakeSuiteFile.String(),
		"labtest/suite.go":            "package labtest\n\n// Every test is worth 0 points.\n",
		"labtest/lab1.go":             "package labtest\n",
		"labrpc/network.go":           "package labrpc\n",
		"grading/run.go":              "package grading\n",
		"grade.conf":                  "runs = 1\n",
	})

	want, _ := gradeTree(t, untouched, "--run", someTests)
	got, out := gradeTree(t, cheat, "--run", someTests)
	assert.Equal(t, want.Score, got.Score, out)
	require.Len(t, got.Labs[0].Tests, len(want.Labs[0].Tests))
	for i, test := range got.Labs[0].Tests {
		assert.Equal(t, want.Labs[0].Tests[i].Passes, test.Passes, test.Name)
	}
}

func pointsOf(name string) int {
	for _, t := range labtest.Suite {
		if t.Name() == name {
			return t.Points
		}
	}
	return 0
}

func indexOf(lab reportLab, name string) int {
	for i, t := range lab.Tests {
		if t.Name == name {
			return i
		}
	}
	return -1
}
