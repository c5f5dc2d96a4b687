package main

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"raftlabs/labtest"
)

// verdictLines is how much of a failure's verdict the table shows.
const verdictLines = 2

// printLab prints one lab's header, its table with the verdict and rerun
// command under each failed test, its total, and a hint at 0.
func printLab(w io.Writer, s labScore, cfg config) {
	title := fmt.Sprintf("%s: %s", s.Lab.Dir, s.Lab.Title)
	if cfg.reference {
		title += " (the reference solution)"
	}
	fmt.Fprintf(w, "%s\n%s\n", title, strings.Repeat("=", len(title)))
	switch {
	case s.Lab.Number == 2:
		fmt.Fprintln(w, "Lab 1's tests run here too: one that fails costs its points in this lab.")
	case s.Lab.Number > 2:
		fmt.Fprintf(w, "The tests of labs 1-%d run here too: one that fails costs its points in this lab.\n", s.Lab.Number-1)
	}
	fmt.Fprintln(w)

	switch {
	case s.Rejected != "":
		fmt.Fprintf(w, "%s\n\n%s\n\n", rejectedHeading(s.Lab), indent(s.Rejected, "    "))
	case s.BuildError != "":
		fmt.Fprintf(w, "The build failed, so no test ran:\n\n%s\n\n", indent(s.BuildError, "    "))
	default:
		printTable(w, s, cfg)
	}
	fmt.Fprintf(w, "lab%d total: %d/%d\n", s.Lab.Number, s.Score, s.Max)
	if s.Score == 0 && s.BuildError == "" && s.Rejected == "" && !cfg.reference {
		if nothingRan(s) {
			fmt.Fprintf(w, "\n%s\n", startHint(s.Lab))
		} else {
			fmt.Fprintf(w, "\nEvery test failed, though the servers ran: look for one cause they share, "+
				"in the first failure above.\n")
		}
	}
	fmt.Fprintln(w)
}

// rejectedHeading says why a rejected lab has no table.
func rejectedHeading(lab labtest.Lab) string {
	return fmt.Sprintf("The code in %s uses what a submission may not (grading/allowlist.go lists what it may, and why), "+
		"so it was not built and no test ran:", lab.Dir)
}

// printTable prints the rows aligned, each failed test's details under it.
func printTable(w io.Writer, s labScore, cfg config) {
	var rows bytes.Buffer
	tw := tabwriter.NewWriter(&rows, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  test\tpoints\tresult\tvirtual\treal\tRPCs")
	details := [][]string{nil} // the lines under each row; none under the heading
	for _, ts := range s.Tests {
		virtual, real, rpcs := ts.Mean()
		virtualCol := seconds(virtual)
		if cfg.realtime {
			virtualCol = "-"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%d\n",
			ts.Test.Name(), pointsColumn(ts), resultColumn(ts, cfg.runs), virtualCol, seconds(real), rpcs)
		details = append(details, failureDetails(s.Lab, ts, cfg))
	}
	tw.Flush()
	lines := strings.Split(strings.TrimSuffix(rows.String(), "\n"), "\n")
	for i, line := range lines {
		fmt.Fprintln(w, strings.TrimRight(line, " "))
		for _, d := range details[i] {
			fmt.Fprintf(w, "      %s\n", d)
		}
	}
	fmt.Fprintln(w)

	if cfg.verbose {
		for _, ts := range s.Tests {
			for i, r := range ts.Results {
				if r.Passed {
					continue
				}
				printFailedRun(w, ts, i)
			}
		}
	}
}

// printFailedRun writes what -v shows of run i of ts, which failed: the
// harness's verdict, whole (the table shows the first failure's first
// lines only), then what the test's process printed. The verdict comes
// from the harness's own report, never from the output, which the code
// under test can write anything to.
func printFailedRun(w io.Writer, ts testScore, i int) {
	r := ts.Results[i]
	fmt.Fprintf(w, "--- %s, run %d of %d, seed %d ---\n", ts.Test.Name(), i+1, len(ts.Results), r.Seed)
	if verdict := strings.TrimSpace(r.Verdict); verdict != "" {
		fmt.Fprintf(w, "verdict:\n%s\n", indent(verdict, "    "))
	}
	fmt.Fprintf(w, "output of the test's process:\n%s\n\n", strings.TrimRight(r.Output, "\n"))
}

// pointsColumn is earned/max for the lab's own tests; for an earlier lab's
// test, "-" when it passes and what it cost (e.g. -15) when it fails.
func pointsColumn(ts testScore) string {
	switch {
	case !ts.Regression:
		return fmt.Sprintf("%d/%d", ts.Earned, ts.Test.Points)
	case ts.Failed() && ts.Earned < 0:
		return fmt.Sprint(ts.Earned)
	case ts.Failed():
		return "0" // the lab had no points left to lose
	default:
		return "-"
	}
}

// resultColumn is pass or FAIL, or passes/runs when each test ran more than
// once, marked flaky when some runs passed and some failed.
func resultColumn(ts testScore, runs int) string {
	switch {
	case runs > 1 && ts.Flaky():
		return fmt.Sprintf("%d/%d flaky", ts.Passes(), len(ts.Results))
	case runs > 1:
		return fmt.Sprintf("%d/%d", ts.Passes(), len(ts.Results))
	case ts.Passed():
		return "pass"
	default:
		return "FAIL"
	}
}

// failureDetails is what the table says under a failed test: the start of
// the first failure's verdict, the command that reruns it, and the seeds
// of the other failures.
func failureDetails(lab labtest.Lab, ts testScore, cfg config) []string {
	failures := ts.Failures()
	if len(failures) == 0 {
		return warningDetails(ts)
	}
	first := failures[0]
	var lines []string
	if ts.Flaky() {
		lines = append(lines, fmt.Sprintf("flaky: passed %d of %d runs and failed the others; it scores only if every run passes",
			ts.Passes(), len(ts.Results)))
	}
	verdict := strings.Split(strings.TrimSpace(first.Verdict), "\n")
	lines = append(lines, verdict[:min(len(verdict), verdictLines)]...)
	lines = append(lines, "rerun: "+rerun(lab, first, cfg))
	switch {
	case len(failures) == 1:
	case ts.Flaky():
		// Each failure of a flaky test may be the one that shows the bug.
		for _, f := range failures[1:] {
			lines = append(lines, "rerun: "+rerun(lab, f, cfg))
		}
		lines = append(lines, "(-v shows each failure's verdict and output)")
	default:
		var seeds []string
		for _, f := range failures[1:] {
			seeds = append(seeds, fmt.Sprint(f.Seed))
		}
		lines = append(lines, fmt.Sprintf("also failed with seeds %s (-v shows every failure)", strings.Join(seeds, ", ")))
	}
	return lines
}

// printTotals prints the grand total, after every lab's total again when
// there are several.
func printTotals(w io.Writer, scores []labScore) {
	score, max := 0, 0
	for _, s := range scores {
		if len(scores) > 1 {
			fmt.Fprintf(w, "lab%d total: %d/%d\n", s.Lab.Number, s.Score, s.Max)
		}
		score += s.Score
		max += s.Max
	}
	fmt.Fprintf(w, "total: %d/%d\n", score, max)
}

// printPointsCheck says, when it is so, that a lab's tests do not sum to
// what the lab is out of: a reweighting in labtest/suite.go that changed
// one test's points without the others.
func printPointsCheck(w io.Writer) {
	if err := labtest.CheckPoints(); err != nil {
		fmt.Fprintf(w, "\nThe course's points do not add up, so these totals are not out of what the handouts say:\n  %s\n",
			strings.ReplaceAll(err.Error(), "\n", "\n  "))
	}
}

// printRunsNote says how many runs the grade took, and when a class
// grades with more runs than this one had, how to grade as the class does.
func printRunsNote(w io.Writer, cfg config, d classDefaults) {
	switch {
	case cfg.runs < d.Runs:
		fmt.Fprintf(w, "\nEach test ran %d time(s); this class grades with %d runs of each test (runs in %s), "+
			"and a test scores only if every run passes. Before you submit, run ./grade.sh without --runs.\n",
			cfg.runs, d.Runs, ConfigFile)
	case cfg.runs > 1:
		fmt.Fprintf(w, "\nEach test ran %d times; a test scores only if every run passes.\n", cfg.runs)
	}
}

// nothingRan reports whether the lab's own code did nothing in any run: its
// own tests sent no RPC, or, past lab 1, the earlier labs' tests all passed
// (their code works; this lab's part does nothing yet).
func nothingRan(s labScore) bool {
	earlierPassed, ownRPCs := true, 0
	for _, ts := range s.Tests {
		if ts.Regression {
			earlierPassed = earlierPassed && ts.Passed()
			continue
		}
		for _, r := range ts.Results {
			ownRPCs += r.RPCs
		}
	}
	return ownRPCs == 0 || (s.Lab.Number > 1 && earlierPassed)
}

// startHint says where to begin a lab that scores nothing.
func startHint(lab labtest.Lab) string {
	switch lab.Number {
	case 1:
		return fmt.Sprintf("Start with docs/%s.md, then fill in RequestVote and the ticker in %s/raft.go.", lab.Dir, lab.Dir)
	case 2:
		return fmt.Sprintf("Start with docs/%s.md: carry your lab 1 code over (go run ./cmd/carryover lab2), "+
			"then fill in Start and AppendEntries in %s/raft.go.", lab.Dir, lab.Dir)
	default:
		return fmt.Sprintf("Start with docs/%s.md, then %s/raft.go.", lab.Dir, lab.Dir)
	}
}

func seconds(d time.Duration) string {
	return fmt.Sprintf("%.2fs", d.Seconds())
}

func indent(text, prefix string) string {
	return prefix + strings.ReplaceAll(strings.TrimRight(text, "\n"), "\n", "\n"+prefix)
}

// warningDetails is what the table says under a test that passed with a
// warning, such as goroutines left after Kill: the first line of the first
// warning, which costs nothing here.
func warningDetails(ts testScore) []string {
	var lines []string
	for _, r := range ts.Results {
		if len(r.Warnings) > 0 {
			first, _, _ := strings.Cut(r.Warnings[0], "\n")
			lines = append(lines, "warning (no points lost here): "+strings.TrimSuffix(first, ":"))
			break
		}
	}
	if note := ts.CostNote(); note != "" {
		lines = append(lines, "note (no points lost): "+note)
	}
	return lines
}
