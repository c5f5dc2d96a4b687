package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"raftlabs/grading"
	"raftlabs/labtest"
)

// A grader grades the labs of one tree.
type grader struct {
	cfg      config
	root     string    // the course's root
	out      io.Writer // the tables
	progress io.Writer // a terminal for progress, or nil
}

// run grades every lab asked for, prints the tables and totals, writes
// the reports, and returns the exit status. An error is a usage error or
// one that stopped the grading (it is returned with exitUsage or
// exitNotFull).
func (g *grader) run() (int, error) {
	start := time.Now()
	tree := g.root
	if g.cfg.submission != "" {
		copyRoot, notes, err := prepareSubmission(g.root, g.cfg.submission)
		if err != nil {
			return exitUsage, err
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
		return exitUsage, err
	}
	work, err := os.MkdirTemp("", "raftlabs-grade-")
	if err != nil {
		return exitNotFull, err
	}
	defer os.RemoveAll(work)

	var scores []labScore
	for _, lab := range labs {
		s := g.gradeLab(tree, work, lab)
		printLab(g.out, s, g.cfg)
		scores = append(scores, s)
	}
	printTotals(g.out, scores)

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
		errs = append(errs, writeJSON(g.cfg.gradescope, newGradescope(g.cfg, scores, time.Since(start))))
	}
	if err := errors.Join(errs...); err != nil {
		return exitNotFull, err
	}
	return status, nil
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
	tests := labtest.TestsUpTo(lab.Number)
	// The student's files are checked against the allowlist before any of
	// them is compiled; the reference's are the course's own.
	if !g.cfg.reference {
		g.showProgress(fmt.Sprintf("%s: checking the imports...", lab.Dir))
		if err := grading.CheckImports(tree, lab); err != nil {
			g.showProgress("")
			return scoreLab(lab, tests, nil, err)
		}
	}
	g.showProgress(fmt.Sprintf("%s: building...", lab.Dir))
	bin, err := grading.Build(tree, lab, grading.Source{Reference: g.cfg.reference},
		grading.BuildOptions{Dir: work, Race: g.cfg.race, Timeout: buildTimeout})
	if err != nil {
		g.showProgress("")
		return scoreLab(lab, tests, nil, err)
	}
	opts := grading.BatchOptions{
		RunOptions: grading.RunOptions{Timeout: g.cfg.timeout},
		Runs:       g.cfg.runs,
		Jobs:       g.cfg.jobs,
	}
	if g.cfg.realtime {
		opts.Env = []string{"RAFTLABS_REALTIME=1"}
	}
	total, done, failed := len(tests)*g.cfg.runs, 0, 0
	opts.Done = func(res grading.Result) {
		done++
		if !res.Passed {
			failed++
		}
		g.showProgress(fmt.Sprintf("%s: %d/%d runs done, %d failed", lab.Dir, done, total, failed))
	}
	g.showProgress(fmt.Sprintf("%s: 0/%d runs done", lab.Dir, total))
	results := grading.RunTests(bin, filepath.Join(tree, lab.Dir), tests, opts)
	g.showProgress("")
	return scoreLab(lab, tests, results, nil)
}

// showProgress replaces the progress line on a terminal; "" clears it.
func (g *grader) showProgress(line string) {
	if g.progress != nil {
		fmt.Fprintf(g.progress, "\r\033[K%s", line)
	}
}

func isDir(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.IsDir()
}
