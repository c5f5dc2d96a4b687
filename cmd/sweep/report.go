package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"raftlabs/labtest/testrun"
)

// progress prints a line every so often, and one for each failure as it
// comes.
type progress struct {
	w     io.Writer
	every time.Duration
	total int
	last  time.Duration
}

func (p *progress) update(s testrun.SweepProgress) {
	if r := s.Last; !r.Passed {
		fmt.Fprintf(p.w, "FAIL %s seed %d: %s\n  rerun: %s\n", r.Test, r.Seed, firstLine(r.Verdict), r.Rerun)
	}
	if s.Elapsed-p.last >= p.every {
		p.last = s.Elapsed
		fmt.Fprintf(p.w, "%d/%d runs, %d failed, %.1f runs/s\n",
			s.Runs, p.total, s.Failures, float64(s.Runs)/s.Elapsed.Seconds())
	}
}

// printReport prints the sweep's final table.
func printReport(w io.Writer, rep *testrun.SweepReport, out string) {
	fmt.Fprintln(w)
	fmt.Fprintf(w, "seeds      %d (%d runs)\n", rep.Seeds, rep.Runs)
	fmt.Fprintf(w, "failures   %d", len(rep.Failures))
	if rep.Stopped {
		fmt.Fprint(w, " (stopped there)")
	}
	fmt.Fprintln(w)
	kinds := rep.Kinds()
	fmt.Fprintf(w, "distinct   %d\n", len(kinds))
	fmt.Fprintf(w, "speed      %.1f runs/s (%.0f a minute), %v\n",
		rep.RunsPerSecond(), 60*rep.RunsPerSecond(), rep.Elapsed.Round(100*time.Millisecond))
	if len(kinds) == 0 {
		return
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "COUNT  FIRST SEED  FAILURE")
	for _, k := range kinds {
		fmt.Fprintf(w, "%5d  %10d  %s\n", k.Count, k.Example.Seed, k.Example.Test+": "+
			strings.TrimSpace(firstLine(k.Example.Verdict)))
		fmt.Fprintf(w, "                   rerun: %s\n", k.Example.Rerun)
	}
	fmt.Fprintf(w, "\nEach failure's seed, verdict, rerun command and trace are in %s\n", out)
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
