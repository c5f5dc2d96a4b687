package grading

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"raftlabs/labtest"
	"raftlabs/labtest/testrun"
)

var lab1 = labtest.Labs[0]

func TestReferencePassesAndSkeletonFails(t *testing.T) {
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	test := labtest.TestsUpTo(1)[0]

	ref, err := Build(root, lab1, Source{Reference: true}, BuildOptions{Dir: t.TempDir()})
	require.NoError(t, err)
	res := RunTest(ref, filepath.Join(root, lab1.Dir), test, RunOptions{Seed: 42})
	assert.True(t, res.Passed, res.Output)
	assert.Equal(t, int64(42), res.Seed)
	assert.Positive(t, res.Virtual)
	assert.Positive(t, res.RPCs)

	skeleton, err := Build(root, lab1, Source{}, BuildOptions{Dir: t.TempDir()})
	require.NoError(t, err)
	res = RunTest(skeleton, filepath.Join(root, lab1.Dir), test, RunOptions{Seed: 42})
	assert.False(t, res.Passed)
	assert.Contains(t, res.Verdict, "no leader")
	assert.Zero(t, res.RPCs)
}

func TestMissingMakeExplained(t *testing.T) {
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	src := Source{Replace: map[string][]byte{lab1.Dir + "/raft.go": []byte("package raft\n")}}
	_, err = Build(root, lab1, src, BuildOptions{Dir: t.TempDir()})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "undefined: Make")
	assert.Contains(t, err.Error(), "The tests call Make(peers []*labrpc.ClientEnd")
}

// TestABuildStoppedFromOutsideIsNotACompileError builds lab 1 with a CPU
// limit of 0 s, so that the go command is killed (SIGXCPU) before it
// prints anything, as a signal sent to it or the out-of-memory killer would
// end it: the error says the build was stopped from outside, not that the
// lab does not compile.
func TestABuildStoppedFromOutsideIsNotACompileError(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the shell's ulimit -t 0 kills at once on Linux")
	}
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	_, err = Build(root, lab1, Source{}, BuildOptions{Dir: t.TempDir(), Limits: testrun.Limits{CPU: time.Millisecond}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "building lab1-election failed before the go command printed anything")
	assert.Contains(t, err.Error(), "stopped from outside, not by a compile error")
	assert.NotContains(t, err.Error(), "does not compile")
}

func TestRunTestsRunsEachTestRunsTimes(t *testing.T) {
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	bin, err := Build(root, lab1, Source{}, BuildOptions{Dir: t.TempDir()})
	require.NoError(t, err)
	tests := labtest.TestsUpTo(1)[:3]

	var done []string
	results := RunTests(bin, filepath.Join(root, lab1.Dir), tests, BatchOptions{
		Runs: 2, Jobs: 2,
		Done: func(r Result) { done = append(done, r.Test.Name()) },
	})
	require.Len(t, results, len(tests))
	for i, runs := range results {
		require.Len(t, runs, 2)
		for _, r := range runs {
			assert.Equal(t, tests[i].Name(), r.Test.Name())
			assert.False(t, r.Passed) // the skeleton elects no leader
			assert.NotZero(t, r.Seed)
		}
	}
	assert.Len(t, done, 2*len(tests))
}

// TestSeedKnownWhenTheProcessEndsEarly checks that a test whose process
// ends without the harness's report (a panic in a goroutine of the code
// under test, as log.Fatal or os.Exit would) still has the seed it ran
// with, for its rerun command: the grader chooses it.
func TestSeedKnownWhenTheProcessEndsEarly(t *testing.T) {
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	skeleton, err := os.ReadFile(filepath.Join(root, lab1.Dir, "raft.go"))
	require.NoError(t, err)
	dies := strings.Replace(string(skeleton), "\trf := &Raft{}\n", "\trf := &Raft{}\n\tgo func() { panic(\"corrupt state\") }()\n", 1)
	require.NotEqual(t, string(skeleton), dies, "the skeleton's Make has moved")
	bin, err := Build(root, lab1, Source{Replace: map[string][]byte{lab1.Dir + "/raft.go": []byte(dies)}},
		BuildOptions{Dir: t.TempDir()})
	require.NoError(t, err)

	res := RunTest(bin, filepath.Join(root, lab1.Dir), labtest.TestsUpTo(1)[0], RunOptions{})
	assert.False(t, res.Passed)
	assert.Contains(t, res.Verdict, "the test process ended before the test finished")
	assert.NotZero(t, res.Seed)
	assert.Contains(t, res.Output, fmt.Sprintf(": seed %d,", res.Seed), "the test ran with the seed the result names")
}

func TestSubmissionsGetAMinimalEnvironment(t *testing.T) {
	grader := []string{"PATH=/usr/bin", "HOME=/home/i", "TMPDIR=/tmp/x", "GORACE=halt_on_error=1",
		"RAFTLABS_TRACE_DIR=/tmp/t", "VERBOSE=1", "SOME_SECRET=hunter2", "AWS_SECRET_ACCESS_KEY=k",
		"GOCACHE=/c", "GOFLAGS=-mod=mod", "CGO_ENABLED=1", "CC=clang", "XDG_CACHE_HOME=/xc", "GITHUB_TOKEN=t",
		"GOOGLE_APPLICATION_CREDENTIALS=/k.json"}
	assert.Equal(t, []string{"PATH=/usr/bin", "HOME=/home/i", "TMPDIR=/tmp/x", "GORACE=halt_on_error=1",
		"RAFTLABS_TRACE_DIR=/tmp/t"}, TestEnv(grader))
	assert.Equal(t, []string{"PATH=/usr/bin", "HOME=/home/i", "TMPDIR=/tmp/x", "GORACE=halt_on_error=1",
		"RAFTLABS_TRACE_DIR=/tmp/t", "GOCACHE=/c", "GOFLAGS=-mod=mod", "CGO_ENABLED=1", "CC=clang", "XDG_CACHE_HOME=/xc"},
		BuildEnv(grader))
}

func TestABuildRunsUnderItsLimits(t *testing.T) {
	if runtime.GOOS != "linux" && runtime.GOOS != "darwin" {
		t.Skip("limits are set on Linux and macOS")
	}
	limits := testrun.Limits{Memory: 4 << 30, CPU: 10 * time.Minute, FileSize: 256 << 20}
	out, err := limitedCommand(context.Background(), limits, "/bin/sh", "-c", "ulimit -t; ulimit -f").Output()
	require.NoError(t, err)
	assert.Equal(t, "600\n524288\n", string(out), "CPU seconds, and 512-byte blocks")

	out, err = limitedCommand(context.Background(), testrun.Limits{}, "echo", "no limits").Output()
	require.NoError(t, err)
	assert.Equal(t, "no limits\n", string(out))
}
