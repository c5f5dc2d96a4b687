package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"raftlabs/grading"
	"raftlabs/labtest"
	"raftlabs/labtrace"
)

func TestSubmissionTakesOnlyTheStudentsCode(t *testing.T) {
	root := courseRoot(t)
	sub := t.TempDir()
	writeFiles(t, sub, map[string]string{
		"lab1-election/raft.go":       "package raft // the student's\n",
		"lab1-election/util.go":       "package raft // also the student's\n",
		"lab1-election/suite_test.go": "package raft // a student's own tests must not replace the course's\n",
		"lab1-election/notes.txt":     "not code\n",
		"labtest/lab1.go":             "package labtest // nor may the harness be replaced\n",
		"lab1-election/exit.s":        "TEXT ·exit(SB),$0\n", // only .go files are taken
		"lab1-election/blob.syso":     "\x7fELF",
	})

	copyRoot, notes, err := prepareSubmission(root, sub, "", nil)
	require.NoError(t, err)
	defer os.RemoveAll(copyRoot)

	read := func(path string) string {
		data, err := os.ReadFile(filepath.Join(copyRoot, path))
		require.NoError(t, err, path)
		return string(data)
	}
	assert.Equal(t, "package raft // the student's\n", read("lab1-election/raft.go"))
	assert.Equal(t, "package raft // also the student's\n", read("lab1-election/util.go"))
	course := func(path string) string {
		data, err := os.ReadFile(filepath.Join(root, path))
		require.NoError(t, err)
		return string(data)
	}
	assert.Equal(t, course("lab1-election/suite_test.go"), read("lab1-election/suite_test.go"))
	assert.Equal(t, course("labtest/lab1.go"), read("labtest/lab1.go"))
	assert.Equal(t, course("lab2-replication/raft.go"), read("lab2-replication/raft.go"))
	assert.NoFileExists(t, filepath.Join(copyRoot, "lab1-election/notes.txt"))
	assert.NoFileExists(t, filepath.Join(copyRoot, "lab1-election/exit.s"))
	assert.NoFileExists(t, filepath.Join(copyRoot, "lab1-election/blob.syso"))
	assert.DirExists(t, filepath.Join(copyRoot, "labtest"))
	// Neither the reference nor its variants, whatever the allowlist says.
	for _, path := range []string{".git", "bin", "solutions", "cmd/variants", "cmd/grade/testdata", "labtest/testdata"} {
		assert.NoDirExists(t, filepath.Join(copyRoot, path))
	}
	assert.FileExists(t, filepath.Join(copyRoot, "go.mod"))
	want := []string{"lab1-election: the submission's raft.go, util.go"}
	for _, lab := range labtest.LabsIn(root)[1:] {
		want = append(want, lab.Dir+": not in the submission; the course's skeleton stands in for it")
	}
	assert.Equal(t, want, notes)
}

func TestSubmissionWithoutLabFolders(t *testing.T) {
	sub := t.TempDir()
	writeFiles(t, sub, map[string]string{"raft.go": "package raft\n"})
	_, _, err := prepareSubmission(courseRoot(t), sub, "", nil)
	assert.ErrorContains(t, err, "has no lab folder")

	_, _, err = prepareSubmission(courseRoot(t), filepath.Join(sub, "missing"), "", nil)
	assert.ErrorContains(t, err, "not a folder")
}

// cheat is one of the cheating submissions in testdata/cheats.
type cheat struct {
	name    string
	lab     labtest.Lab
	reasons []string // the rejections the table and the reports must show
}

var (
	osMembers = "of os a submission may use only os.Getenv, os.LookupEnv, os.Stderr, os.Stdout"
	cheats    = []cheat{
		{"delegate-to-reference", labtest.Labs[1], []string{
			"lab2-replication/raft.go:6: imports raftlabs/solutions, which a submission may not import"}},
		{"forged-summary", labtest.Labs[0], []string{
			"lab1-election/raft.go:15: uses os.Exit; " + osMembers}},
		{"change-the-suite", labtest.Labs[0], []string{
			"lab1-election/raft.go:5: imports raftlabs/labtest, which a submission may not import"}},
		{"linkname", labtest.Labs[0], []string{
			"lab1-election/raft.go:4: imports unsafe, which a submission may not import",
			"lab1-election/raft.go:12: has a go:linkname directive, which a submission may not use"}},
		{"exec-process", labtest.Labs[0], []string{
			"lab1-election/raft.go:4: imports os/exec, which a submission may not import"}},
		{"syscall-process", labtest.Labs[0], []string{
			"lab1-election/raft.go:4: imports syscall, which a submission may not import"}},
		{"line-directive", labtest.Labs[0], []string{
			"lab1-election/raft.go:404: has a line directive (//line internal/synctest.Run(:1), which a submission may not use"}},
		{"pinned-seed", labtest.Labs[1], []string{
			"lab2-replication/raft.go:4: imports flag, which a submission may not import: " +
				"it reaches the test binary's flags, the harness's settings among them"}},
		{"symlink-lab", labtest.Labs[1], []string{
			"lab2-replication: is a symbolic link (to ../../../../../labtest/testdata/styles/peer-loop); " +
				"a lab folder must be a real folder inside the submission"}},
	}
)

// TestCheatsScoreNothing grades each cheating submission as an instructor
// would and checks that the allowlist rejects it before it is built: 0
// points, and the reason in the table, the JSON report and Gradescope's
// results.
func TestCheatsScoreNothing(t *testing.T) {
	for _, c := range cheats {
		t.Run(c.name, func(t *testing.T) {
			reports := t.TempDir()
			jsonFile, gradescope := filepath.Join(reports, "report.json"), filepath.Join(reports, "results.json")
			status, out := grade(t, "--submission", filepath.Join("testdata", "cheats", c.name),
				"--json", jsonFile, "--gradescope", gradescope)

			// The table.
			assert.Equal(t, exitNotFull, status, out)
			assert.Contains(t, out, rejectedHeading(c.lab))
			for _, reason := range c.reasons {
				assert.Contains(t, out, reason)
			}
			assert.Contains(t, out, "allowed: "+grading.AllowedList())
			assert.Contains(t, out, fmt.Sprintf("lab%d total: 0/", c.lab.Number))
			assert.NotContains(t, out, "The build failed", "a rejected lab is not built")

			// The JSON report.
			var r report
			readJSON(t, jsonFile, &r)
			assert.Equal(t, 0, r.Score)
			require.Len(t, r.Labs, 1)
			assert.Equal(t, c.lab.Number, r.Labs[0].Lab)
			assert.Empty(t, r.Labs[0].BuildError)
			for _, reason := range c.reasons {
				assert.Contains(t, r.Labs[0].Rejected, reason)
			}
			for _, test := range r.Labs[0].Tests {
				assert.Zero(t, test.Runs, "%s ran", test.Name)
			}

			// Gradescope's results.
			var g gradescopeResults
			readJSON(t, gradescope, &g)
			assert.Equal(t, 0, g.Score)
			for _, reason := range c.reasons {
				assert.Contains(t, g.Output, reason)
			}
			for _, test := range g.Tests {
				assert.Equal(t, "failed", test.Status, test.Name)
				assert.Zero(t, test.Score, test.Name)
			}
		})
	}
}

// TestForgedSummaryFailsPastTheAllowlist builds the forged-summary cheat
// as if the allowlist had let os.Exit through (an instructor widening it):
// the grader must still not take the forged line for a pass, since only
// the harness's own report over the grader's pipe counts. (It is built in
// the course's tree with the cheat laid over the skeleton, as the buggy
// variants are, so the build cache serves everything but the cheat.)
func TestForgedSummaryFailsPastTheAllowlist(t *testing.T) {
	lab := labtest.Labs[0]
	forged, err := os.ReadFile(filepath.Join("testdata", "cheats", "forged-summary", lab.Dir, "raft.go"))
	require.NoError(t, err)
	root := courseRoot(t)
	bin, err := grading.Build(root, lab, grading.Source{Replace: map[string][]byte{lab.Dir + "/raft.go": forged}},
		grading.BuildOptions{Dir: t.TempDir()})
	require.NoError(t, err)

	test := labtest.TestsUpTo(lab.Number)[0]
	res := grading.RunTest(bin, filepath.Join(root, lab.Dir), test, grading.RunOptions{Timeout: time.Minute})
	assert.Contains(t, res.Output, "  passed  1.00s virtual", "the cheat did not run")
	assert.False(t, res.Passed, "a forged summary line and exit status 0 counted as a pass")
	assert.Contains(t, res.Verdict, "the test process ended before the test finished")
	// The rerun command names a seed, the one the grader gave the test,
	// though the process sent no report of it.
	assert.NotZero(t, res.Seed)
}

// TestLineDirectiveLeakFailsPastTheAllowlist builds the line-directive
// cheat as if the allowlist had let its //line directive through: the
// harness must still see the applier left in Wait after Kill as the
// student's, since it reads function names, not file names.
func TestLineDirectiveLeakFailsPastTheAllowlist(t *testing.T) {
	lab := labtest.Labs[0]
	cheat, err := os.ReadFile(filepath.Join("testdata", "cheats", "line-directive", lab.Dir, "raft.go"))
	require.NoError(t, err)
	root := courseRoot(t)
	bin, err := grading.Build(root, lab, grading.Source{Replace: map[string][]byte{lab.Dir + "/raft.go": cheat}},
		grading.BuildOptions{Dir: t.TempDir()})
	require.NoError(t, err)

	var kill labtest.Test
	for _, test := range labtest.TestsUpTo(lab.Number) {
		if test.Name() == "TestKillLab1" {
			kill = test
		}
	}
	require.Equal(t, "TestKillLab1", kill.Name())
	res := grading.RunTest(bin, filepath.Join(root, lab.Dir), kill, grading.RunOptions{Timeout: time.Minute})
	assert.False(t, res.Passed, "a goroutine left after Kill passed as the harness's:\n%s", res.Output)
	assert.Contains(t, res.Verdict, "goroutine leak:")
	assert.Contains(t, res.Verdict, "raftlabs/lab1-election.(*Raft).applier(")
}

// TestTheGradersEnvironmentStaysOut grades the env-secret cheat with a
// secret in the grader's environment: it scores 0, and the secret is in
// neither the output nor results.json.
func TestTheGradersEnvironmentStaysOut(t *testing.T) {
	const secret = "hunter2-d0e5f00d"
	t.Setenv("SOME_SECRET", secret)
	t.Setenv("GITHUB_TOKEN", secret)
	gradescope := filepath.Join(t.TempDir(), "results.json")
	status, out := grade(t, "--submission", filepath.Join("testdata", "cheats", "env-secret"), "--jobs", "2",
		"--run", "Lab1$", "--gradescope", gradescope)

	assert.Equal(t, exitNotFull, status, out)
	assert.Contains(t, out, "lab1 total: 0/")
	assert.Contains(t, out, "no secret in the environment", "the cheat did not run")
	assert.NotContains(t, out, secret)
	results, err := os.ReadFile(gradescope)
	require.NoError(t, err)
	assert.NotContains(t, string(results), secret)
}

// TestALinkedLabInAClassIsRejected grades a class in which one student's
// lab folder is a link to another's: that lab is rejected with its reason,
// and nothing of the other student's is graded as the first's.
func TestALinkedLabInAClassIsRejected(t *testing.T) {
	class := t.TempDir()
	writeFiles(t, class, map[string]string{"bob/lab2-replication/raft.go": "package raft\n\nfunc Make() {}\n"})
	require.NoError(t, os.MkdirAll(filepath.Join(class, "alice"), 0o755))
	require.NoError(t, os.Symlink(filepath.Join(courseRoot(t), "labtest", "testdata", "styles", "peer-loop"),
		filepath.Join(class, "alice", "lab2-replication")))
	out := filepath.Join(t.TempDir(), "grades")

	status, output := grade(t, "--class", class, "--out", out, "--jobs", "2")
	assert.Equal(t, exitNotFull, status, output)
	assert.Contains(t, output, "alice: lab2 0/")
	log, err := os.ReadFile(filepath.Join(out, "logs", "alice.txt"))
	require.NoError(t, err)
	assert.Contains(t, string(log), "lab2-replication: a symbolic link, which the grader does not follow")
	assert.Contains(t, string(log), "lab2-replication: is a symbolic link (to ")
	assert.NotContains(t, string(log), "building", "a rejected lab is not built")
}

// TestSharedStateIsNotTheAllowlistsBusiness checks that a Raft whose
// servers read each other's state through a package-level variable passes
// the allowlist: it is legal Go, caught by the tests (a partition, a
// crash), not by what it imports.
func TestSharedStateIsNotTheAllowlistsBusiness(t *testing.T) {
	copyRoot, _, err := prepareSubmission(courseRoot(t), filepath.Join("testdata", "cheats", "shared-state"), "", nil)
	require.NoError(t, err)
	defer os.RemoveAll(copyRoot)
	assert.NoError(t, grading.CheckImports(copyRoot, labtest.Labs[0]))
}

// TestStyleRaftsPassTheAllowlist checks the MIT-style Rafts in labtest's
// test data (one per common style of a 6.5840 solution): the allowlist
// must let every one of them through.
func TestStyleRaftsPassTheAllowlist(t *testing.T) {
	styles, err := filepath.Glob(filepath.Join(courseRoot(t), "labtest", "testdata", "styles", "*"))
	require.NoError(t, err)
	if len(styles) == 0 {
		t.Skip("no style Rafts in labtest/testdata/styles")
	}
	for _, style := range styles {
		if !isDir(style) {
			continue // the folder's README
		}
		t.Run(filepath.Base(style), func(t *testing.T) {
			sub := t.TempDir()
			copyGoFiles(t, style, filepath.Join(sub, "lab2-replication"), nil)
			copyRoot, _, err := prepareSubmission(courseRoot(t), sub, "", nil)
			require.NoError(t, err)
			defer os.RemoveAll(copyRoot)
			assert.NoError(t, grading.CheckImports(copyRoot, labtest.Labs[1]))
		})
	}
}

// TestGradeACorrectSubmission grades the reference, handed in as a
// student's package raft: the allowlist lets it through, and it scores full
// marks in a copy of the course that has no reference to lean on.
func TestGradeACorrectSubmission(t *testing.T) {
	sub := t.TempDir()
	copyGoFiles(t, filepath.Join(courseRoot(t), "solutions"), filepath.Join(sub, "lab1-election"), func(src string) string {
		return strings.Replace(src, "package solutions", "package raft", 1)
	})
	jsonFile := filepath.Join(t.TempDir(), "report.json")
	status, out := grade(t, "--submission", sub, "--jobs", "2", "--json", jsonFile)

	assert.Equal(t, exitFullMarks, status, out)
	full := labPoints(labtest.Labs[0])
	assert.Contains(t, out, fmt.Sprintf("lab1 total: %d/%d", full, full))
	var r report
	readJSON(t, jsonFile, &r)
	require.Len(t, r.Labs, 1)
	assert.Empty(t, r.Labs[0].Rejected)
	assert.Equal(t, full, r.Score)
}

// TestASubmissionsTracesAreTheGradings grades a submission whose tests all
// fail: their traces go to --traces when it is given, and otherwise to the
// grading's own temporary folder, removed with it.
func TestASubmissionsTracesAreTheGradings(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	sub := filepath.Join("testdata", "cheats", "env-secret")

	kept, reports := t.TempDir(), t.TempDir()
	jsonFile := filepath.Join(reports, "report.json")
	status, out := grade(t, "--submission", sub, "--run", "^TestInitialElectionLab1$", "--traces", kept, "--json", jsonFile)
	assert.Equal(t, exitNotFull, status, out)
	traces, err := filepath.Glob(filepath.Join(kept, "TestInitialElectionLab1-seed*.jsonl"))
	require.NoError(t, err)
	assert.Len(t, traces, 1, "the failing test's trace is kept in --traces")
	report, err := os.ReadFile(jsonFile)
	require.NoError(t, err)
	assert.Contains(t, string(report), "trace: "+kept)

	status, out = grade(t, "--submission", sub, "--run", "^TestInitialElectionLab1$", "--json", jsonFile)
	assert.Equal(t, exitNotFull, status, out)
	report, err = os.ReadFile(jsonFile)
	require.NoError(t, err)
	assert.NotContains(t, string(report), "trace: "+tmp, "no path into the grading's removed folder")
	assert.Contains(t, string(report), "trace: not kept: it was in the grading's temporary folder (grade with --traces DIR to keep the traces)",
		"the trace was written in the grading's temporary folder, and the verdict says it is gone")
	assertEmptyDir(t, tmp)
}

// TestAnInterruptedGraderLeavesNothingBehind interrupts a grading while a
// test busy-loops: the grader stops its test processes, removes its copy
// of the course, its work folder and its traces, writes no report, and
// exits with status 130.
func TestAnInterruptedGraderLeavesNothingBehind(t *testing.T) {
	sub := fakeTree(t, busyLoops)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	gradescope := filepath.Join(t.TempDir(), "results.json")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var cancelled time.Time
	progress := &cancelOn{text: "running", cancel: func() { cancelled = time.Now(); cancel() }}
	status := runContext(ctx, []string{"--submission", sub, "--runs", "1", "--run", fiveServerTest, "--gradescope", gradescope},
		io.Discard, progress)

	assert.Equal(t, exitStopped, status)
	require.False(t, cancelled.IsZero(), "the grading was not interrupted")
	// The busy test would run until the watchdog's 10 s without progress.
	assert.Less(t, time.Since(cancelled), 5*time.Second, "the busy test was stopped, not waited for")
	assert.NoFileExists(t, gradescope, "no report of an interrupted grading")
	assertEmptyDir(t, tmp)
}

// cancelOn is a writer that calls cancel once text has been written to it.
type cancelOn struct {
	mu     sync.Mutex
	text   string
	seen   strings.Builder
	done   bool
	cancel func()
}

func (w *cancelOn) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.seen.Write(p)
	if strings.Contains(w.seen.String(), w.text) && !w.done {
		w.done = true
		time.AfterFunc(500*time.Millisecond, w.cancel) // once the test process runs
	}
	return len(p), nil
}

// assertEmptyDir checks that the grader left nothing of its own in dir,
// the temporary folder it was given (the go command's build folders come
// and go on their own).
func assertEmptyDir(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		assert.False(t, strings.HasPrefix(e.Name(), "raftlabs-"), "the grader left %s in the temporary folder", e.Name())
	}
}

// TestResourceBombsHarmNoOne grades the cheats that try to harm the
// grading machine, each in one test of lab 1: each scores 0 with a verdict
// that names the grader's limit, and leaves no more on the disk than the
// limits allow.
func TestResourceBombsHarmNoOne(t *testing.T) {
	gradeOne := func(t *testing.T, cheat string, args ...string) report {
		t.Helper()
		jsonFile := filepath.Join(t.TempDir(), "report.json")
		args = append([]string{"--submission", filepath.Join("testdata", "cheats", cheat), "--run", "^TestInitialElectionLab1$",
			"--json", jsonFile}, args...)
		status, out := grade(t, args...)
		assert.Equal(t, exitNotFull, status, out)
		assert.Contains(t, out, "lab1 total: 0/10")
		var r report
		readJSON(t, jsonFile, &r)
		require.Len(t, r.Labs, 1)
		return r
	}
	verdict := func(r report) string {
		require.Len(t, r.Labs[0].Tests, 1)
		require.Len(t, r.Labs[0].Tests[0].Failures, 1)
		return r.Labs[0].Tests[0].Failures[0].Verdict
	}

	t.Run("static-array", func(t *testing.T) {
		if testing.Short() {
			t.Skip("the build writes 256 MiB before the limit stops it")
		}
		r := gradeOne(t, "static-array")
		assert.Contains(t, r.Labs[0].BuildError, "file too large")
		assert.Contains(t, r.Labs[0].BuildError, "The build wrote a file larger than the grader's 256 MiB limit: "+
			"does a package hold a huge initialised array or string?")
	})
	t.Run("memory-bomb", func(t *testing.T) {
		if runtime.GOOS != "linux" {
			t.Skip("the memory limit is enforced on Linux; macOS does not enforce RLIMIT_AS")
		}
		r := gradeOne(t, "memory-bomb")
		assert.Equal(t, "the test process ran out of memory: it exceeded the grader's 2 GiB memory limit "+
			"(a log or a buffer that grows without end?)", verdict(r))
	})
	t.Run("disk-bomb", func(t *testing.T) {
		traces := t.TempDir()
		r := gradeOne(t, "disk-bomb", "--traces", traces)
		assert.Contains(t, verdict(r), "no leader")
		files, err := filepath.Glob(filepath.Join(traces, "*.jsonl"))
		require.NoError(t, err)
		require.Len(t, files, 1)
		info, err := os.Stat(files[0])
		require.NoError(t, err)
		// Without the cap on a record's text, 1 MiB a line: 1.5 GB.
		assert.Less(t, info.Size(), int64(labtrace.MaxBytes+labtrace.MaxText))
		records, err := labtrace.ReadFile(files[0])
		require.NoError(t, err)
		cut := 0
		for _, rec := range records {
			if rec.Kind == labtrace.Log {
				assert.LessOrEqual(t, len(rec.Text), labtrace.MaxText+40)
				cut++
			}
		}
		assert.Positive(t, cut, "the trace holds the cut debug lines")
	})
}

// TestSharedStateIsGraded grades the shared-state cheat, whose servers read
// each other's state through a package-level variable: legal Go that the
// allowlist passes. It scores 15/100 in lab 1 today (the Kill test, the
// stale-vote and late-vote probes); the tests' history checks are to bring
// it to 0. This records the score so that it can only go down.
func TestSharedStateIsGraded(t *testing.T) {
	jsonFile := filepath.Join(t.TempDir(), "report.json")
	status, out := grade(t, "--submission", filepath.Join("testdata", "cheats", "shared-state"), "--jobs", "2", "--json", jsonFile)
	assert.Equal(t, exitNotFull, status, out)
	var r report
	readJSON(t, jsonFile, &r)
	require.Len(t, r.Labs, 1)
	assert.Empty(t, r.Labs[0].Rejected, "legal Go: graded, not rejected")
	assert.Empty(t, r.Labs[0].BuildError)
	assert.LessOrEqual(t, r.Score, 15, "the shared-state cheat scores more than it did:\n%s", out)
}
