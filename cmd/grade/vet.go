package main

import (
	"fmt"
	"io"
	"sync"

	"raftlabs/grading"
	"raftlabs/labtest"
)

// vetLab starts labvet's static checks on lab's code in tree (on the
// reference with --reference) and returns a function that waits for their
// findings. The checks run while the lab builds, so they add next to
// nothing to the grading time. Their findings are warnings: they cost no
// points. Code that the allowlist rejects is not looked at (loading it
// compiles it), and code that does not compile has no findings: gradeLab
// reports both.
func (g *grader) vetLab(tree string, lab labtest.Lab) func() []grading.Finding {
	done := make(chan []grading.Finding, 1)
	go func() {
		dir := lab.Dir
		if g.cfg.reference {
			dir = "solutions"
		} else if grading.CheckImports(tree, lab) != nil {
			done <- nil
			return
		}
		findings, err := grading.Vet(tree, dir)
		if err != nil {
			findings = nil
		}
		done <- findings
	}()
	return sync.OnceValue(func() []grading.Finding { return <-done })
}

// explainVerdicts adds to each failed run's verdict a line that points to
// the labvet finding most likely to have caused it (grading.Explain): a
// frozen clock to the lock held across Call, labgob's lower-case field to
// its declaration.
func explainVerdicts(s *labScore, findings []grading.Finding) {
	if len(findings) == 0 {
		return
	}
	for i := range s.Tests {
		for j := range s.Tests[i].Results {
			if r := &s.Tests[i].Results[j]; !r.Passed {
				r.Verdict = grading.Explain(r.Verdict, findings)
			}
		}
	}
}

// printFindings prints labvet's findings under a lab's total, as warnings.
func printFindings(w io.Writer, lab labtest.Lab, findings []grading.Finding) {
	if len(findings) == 0 {
		return
	}
	fmt.Fprintf(w, "labvet warnings for %s (they cost no points; docs/labvet.md explains each check):\n", lab.Dir)
	for _, f := range findings {
		fmt.Fprintf(w, "  %s\n", f)
	}
	fmt.Fprintln(w)
}
