package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"raftlabs/grading"
	"raftlabs/labtest"
	"raftlabs/labtest/testrun"
)

// A grader grades the labs of one tree.
type grader struct {
	ctx      context.Context // stops the grading when done; nil: never
	cfg      config
	defaults classDefaults // grade.conf's
	root     string        // the course's root
	out      io.Writer     // the tables
	progress *progress     // or nil
	traceDir string        // where failing tests write their traces; "": the default

	// For --class (class.go): tmp is the folder for the copy and the
	// builds ("": the system's); exclude are folders the copy of the
	// course leaves out (the class's submissions and grades); env is added
	// to every test process's environment.
	tmp     string
	exclude []string
	env     []string
}

// testLimits are the limits on each test process (--limits, by default
// grading.TestLimits), with no memory limit for a -race binary.
func (g *grader) testLimits() testrun.Limits {
	limits := g.cfg.testLimits
	if g.cfg.race {
		limits.Memory = 0
	}
	return limits
}

// context returns the grading's context: g.ctx, or one never done.
func (g *grader) context() context.Context {
	if g.ctx == nil {
		return context.Background()
	}
	return g.ctx
}

// run grades every lab asked for, prints the tables and totals, writes
// the reports, and returns the exit status. An error is a usage error or
// one that stopped the grading (it is returned with exitUsage or
// exitNotFull).
func (g *grader) run() (int, error) {
	start := gradingStarted()
	scores, err := g.grade()
	if err != nil {
		if g.cfg.gradescope != "" && g.context().Err() == nil {
			// Gradescope shows a student only results.json: say there why
			// nothing was graded.
			_ = writeJSON(g.cfg.gradescope, gradescopeResults{Output: "The submission could not be graded: " + err.Error(),
				ExecutionTime: executionTime(start), Visibility: "visible", Tests: []gradescopeTest{}})
		}
		return exitUsage, err
	}
	printTotals(g.out, scores)
	printPointsCheck(g.out)
	printRunsNote(g.out, g.cfg, g.defaults)

	status := exitFullMarks
	for _, s := range scores {
		if s.Score < s.Max {
			status = exitNotFull
		}
	}
	var errs []error
	if g.cfg.jsonFile != "" {
		errs = append(errs, writeJSON(g.cfg.jsonFile, newReport(g.cfg, scores)))
	}
	if g.cfg.gradescope != "" {
		errs = append(errs, writeJSON(g.cfg.gradescope, newGradescope(g.cfg, scores, start)))
	}
	if err := errors.Join(errs...); err != nil {
		return exitNotFull, err
	}
	return status, nil
}

// hasReference reports whether the course at root has the reference
// solution: a students' copy, made by cmd/handout, has not.
func hasReference(root string) bool { return isDir(filepath.Join(root, "solutions")) }

// grade grades every lab asked for, in a fresh copy of the course for a
// submission, and prints each lab's table. An error means nothing could be
// graded: the submission or the labs asked for are not there.
func (g *grader) grade() ([]labScore, error) {
	tree := g.root
	if g.cfg.reference && !hasReference(g.root) {
		return nil, fmt.Errorf("--reference: this copy of the course has no reference solution (no solutions/ in %s); "+
			"it is a student's copy, made by cmd/handout. The reference is in the instructor's copy of the course", g.root)
	}
	if g.cfg.submission != "" {
		copyRoot, notes, err := prepareSubmission(g.root, g.cfg.submission, g.tmp, g.exclude)
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(copyRoot)
		fmt.Fprintf(g.out, "Grading the submission in %s, in a fresh copy of the course.\n", g.cfg.submission)
		for _, note := range notes {
			fmt.Fprintf(g.out, "  %s\n", note)
		}
		fmt.Fprintln(g.out)
		tree = copyRoot
	}
	labs, err := g.labsToGrade(tree)
	if err != nil {
		return nil, err
	}
	work, err := os.MkdirTemp(g.tmp, "raftlabs-grade-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	// A submission's traces are the grading's, removed with it unless
	// --traces keeps them; a student grading their own tree finds them
	// where go test puts them.
	g.traceDir = g.cfg.traces
	if g.traceDir == "" && g.cfg.submission != "" {
		g.traceDir = filepath.Join(work, "traces")
	}

	var scores []labScore
	for _, lab := range labs {
		findings := g.vetLab(tree, lab) // warnings only: they cost no points
		s := g.gradeLab(tree, work, lab)
		if err := g.context().Err(); err != nil {
			findings()
			return nil, fmt.Errorf("interrupted while grading %s", lab.Dir)
		}
		if g.traceDir != "" {
			forgetTraces(&s, g.traceDir, g.traceDir != g.cfg.traces)
		}
		explainVerdicts(&s, findings())
		printLab(g.out, s, g.cfg)
		printFindings(g.out, lab, findings())
		scores = append(scores, s)
	}
	return scores, nil
}

// forgetTraces rewrites the trace lines of s's verdicts and outputs that
// name a file under dir that will not be there for the reader: dir is the
// grading's own temporary folder (temporary), removed when the grading
// ends, or the trace was removed to keep dir within traceBudget. A path to
// a file that is gone would send the reader looking for it.
func forgetTraces(s *labScore, dir string, temporary bool) {
	gone := func(path string) (string, bool) {
		switch {
		case temporary:
			return "trace: not kept: it was in the grading's temporary folder (grade with --traces DIR to keep the traces)", true
		case !fileExists(path):
			return fmt.Sprintf("trace: not kept: the traces of this grading had reached their budget of %d MiB, "+
				"and the earlier failures' were kept", traceBudget>>20), true
		}
		return "", false
	}
	rewrite := func(text string) string {
		lines := strings.Split(text, "\n")
		kept := lines[:0]
		for _, line := range lines {
			trimmed := strings.TrimSpace(line)
			indent := line[:len(line)-len(strings.TrimLeft(line, " "))]
			path, isTrace := strings.CutPrefix(trimmed, "trace: ")
			path, _, _ = strings.Cut(path, " ")
			if isTrace && strings.HasPrefix(path, dir) {
				if instead, ok := gone(path); ok {
					kept = append(kept, indent+instead)
					continue
				}
			}
			// "see it: go run raftlabs/cmd/traceview PATH   (-text: ...)"
			if f := strings.Fields(trimmed); len(f) > 5 && f[0] == "see" && strings.HasPrefix(f[5], dir) {
				if _, ok := gone(f[5]); ok {
					continue
				}
			}
			kept = append(kept, line)
		}
		return strings.Join(kept, "\n")
	}
	for i := range s.Tests {
		for j := range s.Tests[i].Results {
			r := &s.Tests[i].Results[j]
			r.Verdict = rewrite(r.Verdict)
			r.Output = rewrite(r.Output)
		}
	}
}

// traceBudget is the most the traces of one grading (one student's, in a
// class) may take in the folder the grader keeps them in. A trace is
// capped at labtrace.MaxBytes, but a Raft that fails every run with a big
// trace would otherwise fill the disk with dozens: past the budget, the
// traces written last are removed, and their verdicts say so.
const traceBudget = 32 << 20

// keepTracesWithinBudget removes the newest trace files of dir until the
// traces there take at most traceBudget bytes.
func keepTracesWithinBudget(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	type file struct {
		path string
		size int64
		mod  time.Time
	}
	var files []file
	var total int64
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || !info.Mode().IsRegular() {
			continue
		}
		files = append(files, file{filepath.Join(dir, e.Name()), info.Size(), info.ModTime()})
		total += info.Size()
	}
	slices.SortFunc(files, func(a, b file) int { return b.mod.Compare(a.mod) }) // newest first
	for _, f := range files {
		if total <= traceBudget {
			return
		}
		if os.Remove(f.path) == nil {
			total -= f.size
		}
	}
}

// labsToGrade returns the labs asked for, or every lab whose folder the
// tree (or the submission) has.
func (g *grader) labsToGrade(tree string) ([]labtest.Lab, error) {
	if len(g.cfg.labs) > 0 {
		for _, lab := range g.cfg.labs {
			if !isDir(filepath.Join(tree, lab.Dir)) {
				return nil, fmt.Errorf("there is no folder %s in %s", lab.Dir, tree)
			}
		}
		return g.cfg.labs, nil
	}
	look := tree
	if g.cfg.submission != "" {
		look = g.cfg.submission
	}
	labs := labtest.LabsIn(look)
	if len(labs) == 0 {
		return nil, fmt.Errorf("no lab folder in %s", look)
	}
	return labs, nil
}

// gradeLab checks the student's files of lab against the allowlist, builds
// lab's test binary once and runs each of its tests, and every earlier
// lab's, as processes of their own. A lab the allowlist rejects is not
// built and scores 0.
func (g *grader) gradeLab(tree, work string, lab labtest.Lab) labScore {
	tests := g.testsOf(lab)
	// The student's files are checked against the allowlist before any of
	// them is compiled; the reference's are the course's own.
	if !g.cfg.reference {
		g.progress.status(fmt.Sprintf("%s: checking the imports...", lab.Dir))
		err := grading.CheckImports(tree, lab)
		if g.cfg.submission != "" {
			// A linked folder or file is not copied, so the copy's check
			// passes the skeleton: the submission's own says why it scores 0.
			err = cmp.Or(grading.CheckRealFiles(g.cfg.submission, lab), err)
		}
		if err != nil {
			g.progress.step(fmt.Sprintf("%s: rejected: it uses what a submission may not", lab.Dir))
			g.progress.status("")
			return scoreLab(lab, tests, nil, err)
		}
	}
	g.progress.step(fmt.Sprintf("%s: building...", lab.Dir))
	bin, err := grading.Build(tree, lab, grading.Source{Reference: g.cfg.reference},
		grading.BuildOptions{Dir: work, Race: g.cfg.race, Timeout: buildTimeout, Context: g.ctx, Limits: g.cfg.buildLimits})
	if err != nil {
		g.progress.step(fmt.Sprintf("%s: the build failed", lab.Dir))
		g.progress.status("")
		return scoreLab(lab, tests, nil, err)
	}
	opts := grading.BatchOptions{
		RunOptions: grading.RunOptions{Timeout: g.cfg.timeout, TraceDir: g.traceDir, Context: g.ctx, Limits: g.testLimits()},
		Runs:       g.cfg.runs,
		Jobs:       g.cfg.jobs,
	}
	if g.cfg.realtime {
		opts.Env = []string{"RAFTLABS_REALTIME=1"}
	}
	opts.Env = append(opts.Env, g.env...)
	count := g.counter(lab, tests)
	opts.Done = func(res grading.Result) {
		if g.traceDir != "" {
			keepTracesWithinBudget(g.traceDir)
		}
		count(res)
	}
	g.progress.step(fmt.Sprintf("%s: running %d tests, %d runs each, %d at a time", lab.Dir, len(tests), g.cfg.runs, g.cfg.jobs))
	results := grading.RunTests(bin, filepath.Join(tree, lab.Dir), tests, opts)
	g.progress.status("")
	return scoreLab(lab, tests, results, nil)
}

// counter returns the RunTests callback that shows progress: a count of
// the runs done, and a line for each test when its last run is done.
func (g *grader) counter(lab labtest.Lab, tests []labtest.Test) func(grading.Result) {
	total, done, failed := len(tests)*g.cfg.runs, 0, 0
	runs := map[string][]grading.Result{}
	finished := 0
	return func(res grading.Result) {
		done++
		if !res.Passed {
			failed++
		}
		name := res.Test.Name()
		runs[name] = append(runs[name], res)
		if len(runs[name]) == g.cfg.runs {
			finished++
			ts := testScore{Test: res.Test, Results: runs[name]}
			g.progress.step(fmt.Sprintf("%s: %s %s  [%d/%d tests]", lab.Dir, name, resultColumn(ts, g.cfg.runs), finished, len(tests)))
		}
		g.progress.status(fmt.Sprintf("%s: %d/%d runs done, %d failed", lab.Dir, done, total, failed))
	}
}

// testsOf returns the tests graded in lab's folder: its own and every
// earlier lab's, less those --run leaves out.
func (g *grader) testsOf(lab labtest.Lab) []labtest.Test {
	var tests []labtest.Test
	for _, t := range labtest.TestsUpTo(lab.Number) {
		if g.cfg.only == nil || g.cfg.only.MatchString(t.Name()) {
			tests = append(tests, t)
		}
	}
	return tests
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func isDir(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.IsDir()
}
