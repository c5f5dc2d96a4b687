package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"raftlabs/grading"
	"raftlabs/labtest"
)

// TestGradeAClass grades a class of four submissions, two at a time: one
// correct, one that does not compile, one that busy-loops in a test and one
// with no lab folder. Each gets its own grade; none stops the others. (The
// first and third are fakeTrees, built from the reference in solutions/.)
func TestGradeAClass(t *testing.T) {
	if testing.Short() {
		t.Skip("grades four tests of lab 1 for a class of four")
	}
	class := t.TempDir()
	for name, tree := range map[string]string{
		"alice": fakeTree(t, ""),
		"carol": fakeTree(t, busyLoops),
	} {
		require.NoError(t, os.Rename(tree, filepath.Join(class, name)))
	}
	writeFiles(t, class, map[string]string{
		"bob/lab1-election/raft.go": "package raft\n\nfunc Make() {}\n",
		"dave/README.md":            "my Raft is in my other repository\n",
	})
	out := filepath.Join(t.TempDir(), "grades")

	status, output := grade(t, "--class", class, "--out", out, "--jobs", "2", "--run", someTests, "--shared-cache")
	assert.Equal(t, exitNotFull, status, output)
	full, carol := 0, 0 // what someTests are worth, and what carol earns of it
	points := map[string]int{}
	for _, test := range labtest.TestsUpTo(1) {
		if regexp.MustCompile(someTests).MatchString(test.Name()) {
			full += test.Points
			points[test.Name()] = test.Points
		}
	}
	carol = full - points[fiveServerTest]
	for _, line := range []string{fmt.Sprintf("alice: lab1 %d/%d", full, full), fmt.Sprintf("bob: lab1 0/%d (does not compile)", full),
		fmt.Sprintf("carol: lab1 %d/%d", carol, full), "dave: not graded: "} {
		assert.Contains(t, output, line)
	}

	f, err := os.Open(filepath.Join(out, "grades.csv"))
	require.NoError(t, err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 5, "a heading and a row per student")
	assert.Equal(t, append(classColumns, testColumns()...), rows[0])
	byStudent := map[string]map[string]string{}
	for _, row := range rows[1:] {
		m := map[string]string{}
		for i, col := range rows[0] {
			m[col] = row[i]
		}
		byStudent[m["student"]] = m
	}
	assert.Equal(t, fmt.Sprint(full), byStudent["alice"]["score"])
	assert.Equal(t, fmt.Sprint(full), byStudent["alice"]["max_score"])
	assert.Empty(t, byStudent["alice"]["failed_tests"])
	assert.Equal(t, "0", byStudent["bob"]["score"])
	assert.NotEmpty(t, byStudent["bob"]["compile_error"])
	assert.NotContains(t, byStudent["bob"]["compile_error"], "does not compile:", "the compiler's first error, not the heading")
	assert.Equal(t, fmt.Sprint(carol), byStudent["carol"]["score"])
	assert.Equal(t, fiveServerTest, byStudent["carol"]["failed_tests"])
	assert.Equal(t, "0", byStudent["carol"][fiveServerTest], "a column per test: the points it earned")
	assert.Equal(t, fmt.Sprint(points["TestInitialElectionLab1"]), byStudent["carol"]["TestInitialElectionLab1"])
	assert.Equal(t, "", byStudent["carol"]["TestBasicAgreeLab2"], "lab 2's test in lab 1's row")
	assert.Contains(t, byStudent["dave"]["error"], "has no lab folder")

	var c classReport
	readJSON(t, filepath.Join(out, "grades.json"), &c)
	require.Len(t, c.Students, 4)
	for _, s := range c.Students {
		assert.FileExists(t, s.Log)
	}
	log, err := os.ReadFile(filepath.Join(out, "logs", "carol.txt"))
	require.NoError(t, err)
	assert.True(t, strings.Contains(string(log), "--- "+fiveServerTest+", run 1 of 1"),
		"the log keeps each failed run's verdict and output:\n%s", log)
}

// TestAClassRunResumesAfterAnInterrupt grades a class of three, one at a
// time, kept inside the course's folder as docs/instructors.md's example
// does: once straight through, and once interrupted as the first student
// finishes, then run again. The two end with the same grades; the second
// run grades only the students the first had not finished; the
// interrupted run leaves no copy of the course behind, and the traces are
// under the output folder.
func TestAClassRunResumesAfterAnInterrupt(t *testing.T) {
	if testing.Short() {
		t.Skip("grades four tests of lab 1 for a class of three, three times over")
	}
	// A class inside a course: a copy of the course's own files, so that
	// the students' copies must leave the class out.
	course := filepath.Join(t.TempDir(), "course")
	require.NoError(t, copyTree(courseRoot(t), course, func(path string) bool {
		base := filepath.Base(path)
		return base == ".git" || base == "testdata" || base == "bin"
	}))
	class := filepath.Join(course, "submissions")
	require.NoError(t, os.MkdirAll(class, 0o755))
	for name, tree := range map[string]string{
		"alice": fakeTree(t, ""),
		"carol": fakeTree(t, busyLoops),
	} {
		require.NoError(t, os.Rename(tree, filepath.Join(class, name)))
	}
	writeFiles(t, class, map[string]string{"bob/lab1-election/raft.go": "package raft\n\nfunc Make() {}\n"})
	cfg, err := parseArgs([]string{"--class", class, "--jobs", "1", "--runs", "1", "--run", someTests, "lab1", "--shared-cache"})
	require.NoError(t, err)
	gradeAt := func(ctx context.Context, out string, stdout io.Writer) (int, error) {
		cfg := cfg
		cfg.out = out
		return gradeClass(ctx, cfg, course, stdout, io.Discard)
	}

	straight := filepath.Join(course, "grades-straight")
	var output strings.Builder
	_, err = gradeAt(context.Background(), straight, &output)
	require.NoError(t, err, output.String())

	// Interrupted as the first student's row is written: the second
	// student, then being graded, is left out.
	out := filepath.Join(course, "grades")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var first strings.Builder
	_, err = gradeAt(ctx, out, writerFunc(func(p []byte) {
		first.Write(p)
		if strings.Contains(string(p), "[1/3]") {
			cancel()
		}
	}))
	require.ErrorContains(t, err, "interrupted: 1 of 3 submissions graded")
	var c classReport
	readJSON(t, filepath.Join(out, "grades.json"), &c)
	require.Len(t, c.Students, 1, first.String())
	assert.Equal(t, "alice", c.Students[0].Student)
	assert.NoDirExists(t, filepath.Join(out, ".work"), "the interrupted run's copies are removed")
	rows := readCSV(t, filepath.Join(out, "grades.csv"))
	assert.Len(t, rows, 2, "a heading and alice's row")

	var second strings.Builder
	_, err = gradeAt(context.Background(), out, &second)
	require.NoError(t, err, second.String())
	assert.Contains(t, second.String(), "Resuming: 1 of 3 submissions are already graded")
	assert.NotContains(t, second.String(), "alice:", "alice is not graded again")
	assert.Contains(t, second.String(), "bob:")
	assert.Contains(t, second.String(), "carol:")

	assert.Equal(t, scoresOf(t, straight), scoresOf(t, out))
	assert.NoDirExists(t, filepath.Join(out, ".work"))
	traces, err := filepath.Glob(filepath.Join(out, "traces", "carol", "*.jsonl"))
	require.NoError(t, err)
	assert.NotEmpty(t, traces, "carol's failed run left its trace under the output folder")
}

// TestAnInterruptedClassKeepsItsRowsAndLeavesNoCopies interrupts a class
// run, as Ctrl-C does, while the second student's test runs (a test that
// busy-loops): the grader stops at once with status 130, grades.csv and
// grades.json hold the first student, who had finished, and nothing else,
// and neither the output folder nor the system's temporary folder keeps a
// copy of the course.
func TestAnInterruptedClassKeepsItsRowsAndLeavesNoCopies(t *testing.T) {
	if testing.Short() {
		t.Skip("grades a test of lab 1 for a class of two")
	}
	class := t.TempDir()
	for name, tree := range map[string]string{"alice": fakeTree(t, ""), "carol": fakeTree(t, busyLoops)} {
		require.NoError(t, os.Rename(tree, filepath.Join(class, name)))
	}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	out := filepath.Join(t.TempDir(), "grades")

	// Interrupted once carol's log says her test runs.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cancelled := make(chan time.Time, 1)
	go func() {
		for ctx.Err() == nil {
			if log, _ := os.ReadFile(filepath.Join(out, "logs", "carol.txt")); strings.Contains(string(log), "running") {
				time.Sleep(500 * time.Millisecond) // the test process runs
				cancelled <- time.Now()
				cancel()
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	var stdout, stderr strings.Builder
	status := runContext(ctx, []string{"--class", class, "--out", out, "--jobs", "1", "--runs", "1",
		"--run", "^" + fiveServerTest + "$", "--shared-cache"}, &stdout, &stderr)

	assert.Equal(t, exitStopped, status, stdout.String())
	var at time.Time
	select {
	case at = <-cancelled:
	default:
		t.Fatalf("the class was not interrupted while carol's test ran:\n%s%s", stdout.String(), stderr.String())
	}
	carol, _ := os.ReadFile(filepath.Join(out, "logs", "carol.txt"))
	assert.Less(t, time.Since(at), 5*time.Second, "carol's busy test was stopped, not waited for; her log:\n%s", carol)
	assert.Contains(t, stderr.String(), "interrupted: 1 of 2 submissions graded")
	assert.Contains(t, stderr.String(), "run the same command again to grade the rest")
	rows := readCSV(t, filepath.Join(out, "grades.csv"))
	require.Len(t, rows, 2, "a heading and alice's row")
	assert.Equal(t, "alice", rows[1][0])
	var c classReport
	readJSON(t, filepath.Join(out, "grades.json"), &c)
	require.Len(t, c.Students, 1)
	assert.Equal(t, "alice", c.Students[0].Student)
	assert.NoDirExists(t, filepath.Join(out, ".work"), "the copies of the course are removed")
	assertEmptyDir(t, tmp)
}

// TestAClassWithTracesOffRecordsNone grades a class whose one student fails
// a test, with RAFTLABS_TRACE=off in the grader's environment: no trace is
// kept under the output folder, and none in the system's temporary folder.
func TestAClassWithTracesOffRecordsNone(t *testing.T) {
	if testing.Short() {
		t.Skip("grades a test of lab 1 that busy-loops")
	}
	class := t.TempDir()
	require.NoError(t, os.Rename(fakeTree(t, busyLoops), filepath.Join(class, "carol")))
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	t.Setenv("RAFTLABS_TRACE", "off")
	out := filepath.Join(t.TempDir(), "grades")

	status, output := grade(t, "--class", class, "--out", out, "--run", "^"+fiveServerTest+"$", "--shared-cache")
	assert.Equal(t, exitNotFull, status, output)
	assert.Contains(t, output, "carol: lab1 0/")
	var traces []string
	filepath.WalkDir(out, func(path string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(path, ".jsonl") {
			traces = append(traces, path)
		}
		return nil
	})
	assert.Empty(t, traces, "RAFTLABS_TRACE=off keeps no trace")
	assertEmptyDir(t, tmp)
}

// TestAStoppedBuildIsGradedAgain checks that a class run resuming keeps a
// student graded with the same settings, but not one whose build was ended
// from outside (grading.StoppedFromOutside), which is no grade of theirs.
func TestAStoppedBuildIsGradedAgain(t *testing.T) {
	class := t.TempDir()
	writeFiles(t, class, map[string]string{
		"alice/lab1-election/raft.go": "package raft // alice's\n",
		"bob/lab1-election/raft.go":   "package raft // bob's\n",
	})
	cfg, err := parseArgs([]string{"--class", class, "lab1"})
	require.NoError(t, err)
	stopped := "building lab1-election failed before the go command printed anything (signal: interrupt): it was " +
		grading.StoppedFromOutside + "; grade it again"
	prev := classReport{classSettings: settingsOf(cfg), Students: []studentGrade{
		{Student: "alice", Submission: fingerprint(filepath.Join(class, "alice")), Labs: []reportLab{{Lab: 1, Score: 100, MaxScore: 100}}},
		{Student: "bob", Submission: fingerprint(filepath.Join(class, "bob")), Labs: []reportLab{{Lab: 1, MaxScore: 100, BuildError: stopped}}},
	}}
	path := filepath.Join(t.TempDir(), "grades.json")
	require.NoError(t, writeFileAtomic(path, prev))

	var out strings.Builder
	kept := resumable(path, settingsOf(cfg), class, []string{"alice", "bob"}, &out)
	assert.Contains(t, kept, "alice")
	assert.NotContains(t, kept, "bob", "bob's build was stopped from outside: he is graded again")
	assert.Contains(t, prev.Students[1].summary(), "the build was stopped from outside: graded again on resuming")
}

// TestLabsToWarm checks which labs a class run builds into its own cache
// before grading anyone: those asked for, or those the submissions still to
// grade have; none when every student is graded already.
func TestLabsToWarm(t *testing.T) {
	class := t.TempDir()
	writeFiles(t, class, map[string]string{
		"alice/lab1-election/raft.go":  "package raft\n",
		"bob/lab3-persistence/raft.go": "package raft\n",
		"dave/README.md":               "my Raft is elsewhere\n",
	})
	dirs := func(labs []labtest.Lab) []string {
		var names []string
		for _, lab := range labs {
			names = append(names, lab.Dir)
		}
		return names
	}
	cfg, err := parseArgs([]string{"--class", class})
	require.NoError(t, err)
	assert.Equal(t, []string{"lab1-election", "lab3-persistence"}, dirs(labsToWarm(cfg, class, []string{"alice", "bob", "dave"})))
	assert.Equal(t, []string{"lab3-persistence"}, dirs(labsToWarm(cfg, class, []string{"bob"})))
	assert.Empty(t, labsToWarm(cfg, class, []string{"dave"}))
	assert.Empty(t, labsToWarm(cfg, class, nil), "nothing to grade, nothing to build")
	cfg, err = parseArgs([]string{"--class", class, "lab2"})
	require.NoError(t, err)
	assert.Equal(t, []string{"lab2-replication"}, dirs(labsToWarm(cfg, class, []string{"alice"})))
}

// TestAClassHasABuildCacheOfItsOwn grades a class without --shared-cache
// (one submission with no lab folder, so nothing is built): while it runs,
// GOCACHE names the class's own cache, under the output folder; at the
// end that cache is gone and GOCACHE is what it was.
func TestAClassHasABuildCacheOfItsOwn(t *testing.T) {
	class := t.TempDir()
	writeFiles(t, class, map[string]string{"dave/README.md": "my Raft is elsewhere\n"})
	out := filepath.Join(t.TempDir(), "grades")
	require.NoError(t, os.MkdirAll(filepath.Join(out, ".gocache"), 0o755))
	t.Setenv("GOCACHE", "/the/instructors/cache")
	status, output := grade(t, "--class", class, "--out", out)
	assert.Equal(t, exitNotFull, status, output)
	assert.Contains(t, output, "The builds use a cache of the class's own, "+filepath.Join(out, ".gocache"))
	assert.NoDirExists(t, filepath.Join(out, ".gocache"))
	assert.Equal(t, "/the/instructors/cache", os.Getenv("GOCACHE"))
}

// TestTheCourseCopyLeavesOutTheClass checks that a student's copy of the
// course leaves out the folders it is told to (the class's and its grades,
// when they are inside the course), and has the student's files.
func TestTheCourseCopyLeavesOutTheClass(t *testing.T) {
	course := t.TempDir()
	writeFiles(t, course, map[string]string{
		"go.mod":                            "module raftlabs\n",
		"lab1-election/raft.go":             "package raft // the skeleton\n",
		"class/alice/lab1-election/raft.go": "package raft // alice's\n",
		"class/bob/lab1-election/raft.go":   "package raft // bob's\n",
		"grades/grades.csv":                 "student\n",
	})
	copyRoot, _, err := prepareSubmission(course, filepath.Join(course, "class", "alice"), t.TempDir(),
		[]string{filepath.Join(course, "class"), filepath.Join(course, "grades")})
	require.NoError(t, err)
	defer os.RemoveAll(copyRoot)
	assert.NoDirExists(t, filepath.Join(copyRoot, "class"))
	assert.NoDirExists(t, filepath.Join(copyRoot, "grades"))
	src, err := os.ReadFile(filepath.Join(copyRoot, "lab1-election", "raft.go"))
	require.NoError(t, err)
	assert.Equal(t, "package raft // alice's\n", string(src))
}

// scoresOf returns each student's score and failed tests from the
// grades.csv in out, one line per row, without the times.
func scoresOf(t *testing.T, out string) []string {
	t.Helper()
	var lines []string
	rows := readCSV(t, filepath.Join(out, "grades.csv"))
	for _, row := range rows {
		m := map[string]string{}
		for i, col := range row {
			m[rows[0][i]] = col
		}
		lines = append(lines, strings.Join([]string{m["student"], m["lab"], m["score"], m["max_score"], m["failed_tests"], m["error"],
			m["TestInitialElectionLab1"], m[fiveServerTest]}, ","))
	}
	return lines
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	return rows
}

// writerFunc is an io.Writer that hands each write to a function.
type writerFunc func(p []byte)

func (f writerFunc) Write(p []byte) (int, error) {
	f(p)
	return len(p), nil
}
