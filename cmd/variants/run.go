package main

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"raftlabs/grading"
	"raftlabs/labtest"
)

// runOptions are how every variant is built and run.
type runOptions struct {
	root    string // the repository's root
	runs    int    // suite runs per variant
	workers int    // suite runs at once
	race    bool
	timeout time.Duration // real-time bound for one suite run
	verbose bool
	// firstKill ends a suite run at its first failing test, running the
	// variant's own lab's tests first: enough to tell killed from survived,
	// which is all -check asks, at a fraction of the cost.
	firstKill bool
}

// An outcome is what the runs of one variant's suite did.
type outcome struct {
	variant *Variant
	lab     labtest.Lab
	files   map[string][]byte // the reference's files with the variant's hunks applied

	build sync.Once
	bin   string
	err   error // the hunks do not apply, the build failed, or the suite misbehaved

	mu       sync.Mutex
	done     int            // runs finished
	killed   int            // runs in which the suite failed
	failures map[string]int // test name to the runs it failed in
	named    int            // killing runs whose first failure's verdict names the variant's rule
	first    []string       // each killing run's first failure: "TestX: verdict"
	real     time.Duration  // total real time of the runs
}

// A suiteRun is one run of a lab's whole suite, a process per test.
type suiteRun struct {
	failed []string // the tests that failed
	first  string   // the first failing test's verdict
	real   time.Duration
	output string
}

// runAll builds each variant's test binary once and runs its lab's suite
// opts.runs times, opts.workers runs at a time. progress is called as each
// variant's last run ends.
func runAll(vs []*Variant, opts runOptions, progress func(*outcome)) []*outcome {
	tmp, err := os.MkdirTemp("", "raftlabs-variants-")
	if err != nil {
		return failAll(vs, err)
	}
	defer os.RemoveAll(tmp)

	outcomes := make([]*outcome, len(vs))
	type job struct {
		o   *outcome
		dir string
	}
	jobs := make(chan job)
	go func() {
		defer close(jobs)
		for k, v := range vs {
			o := prepare(v, opts.root)
			outcomes[k] = o
			if o.err != nil {
				progress(o)
				continue
			}
			dir := filepath.Join(tmp, v.Name)
			for range opts.runs {
				jobs <- job{o, dir}
			}
		}
	}()

	var wg sync.WaitGroup
	for range opts.workers {
		wg.Go(func() {
			for j := range jobs {
				j.o.build.Do(func() { j.o.bin, j.o.err = buildVariant(j.o, j.dir, opts) })
				if j.o.err != nil {
					if j.o.record(nil, opts.runs) {
						progress(j.o)
					}
					continue
				}
				r, err := runSuite(j.o.bin, filepath.Join(opts.root, j.o.lab.Dir), suiteOrder(j.o.lab.Number, opts), opts)
				if err != nil {
					j.o.mu.Lock()
					j.o.err = fmt.Errorf("%s: %w", j.o.variant.Name, err)
					j.o.mu.Unlock()
					if j.o.record(nil, opts.runs) {
						progress(j.o)
					}
					continue
				}
				if opts.verbose {
					printRun(j.o, r)
				}
				if j.o.record(&r, opts.runs) {
					progress(j.o)
				}
			}
		})
	}
	wg.Wait()
	return outcomes
}

// prepare finds the variant's lab and applies its hunks to the reference.
func prepare(v *Variant, root string) *outcome {
	o := &outcome{variant: v, failures: map[string]int{}}
	i := slices.IndexFunc(labtest.Labs, func(l labtest.Lab) bool { return l.Number == v.Lab })
	if i < 0 {
		o.err = fmt.Errorf("%s names lab %d, which has no folder in labtest.Labs", v.Name, v.Lab)
		return o
	}
	o.lab = labtest.Labs[i]
	o.files, o.err = v.Apply(os.DirFS(root))
	return o
}

// buildVariant compiles the lab's test binary against the reference with
// the variant's files in place.
func buildVariant(o *outcome, dir string, opts runOptions) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	bin, err := grading.Build(opts.root, o.lab, grading.Source{Reference: true, Replace: o.files},
		grading.BuildOptions{Dir: dir, Race: opts.race})
	if err != nil {
		return "", fmt.Errorf("%s: the reference with the variant's hunks applied does not build: %w", o.variant.Name, err)
	}
	return bin, nil
}

// suiteOrder returns the tests of lab's folder in the order a variant's
// suite runs them: the folder's order, or, with firstKill, the lab's own
// tests first, since they are the ones written to catch its bugs.
func suiteOrder(lab int, opts runOptions) []labtest.Test {
	tests := labtest.TestsUpTo(lab)
	if opts.firstKill {
		slices.SortStableFunc(tests, func(a, b labtest.Test) int {
			return cmp.Compare(b.Lab, a.Lab)
		})
	}
	return tests
}

// runSuite runs the tests once, each as its own process (grading.RunTest),
// from the lab's folder, and reads which failed from the harness's reports.
// With opts.firstKill it stops at the first failure. It returns an error
// if a test process could not be started: that says nothing of the
// variant.
func runSuite(bin, labDir string, tests []labtest.Test, opts runOptions) (suiteRun, error) {
	var r suiteRun
	var out strings.Builder
	for _, test := range tests {
		res := grading.RunTest(bin, labDir, test, grading.RunOptions{Timeout: opts.timeout})
		if res.NotStarted {
			return r, fmt.Errorf("%s: %s", test.Name(), res.Verdict)
		}
		r.real += res.Real
		if !res.Passed {
			if len(r.failed) == 0 {
				r.first = res.Verdict
			}
			r.failed = append(r.failed, test.Name())
			fmt.Fprintf(&out, "%s (seed %d): %s\n", test.Name(), res.Seed, res.Verdict)
			if opts.firstKill {
				break
			}
		}
	}
	r.output = out.String()
	return r, nil
}

// record adds one run (nil if the variant could not be built) and reports
// whether it was the variant's last.
func (o *outcome) record(r *suiteRun, runs int) (last bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.done++
	if r != nil {
		o.real += r.real
		if len(r.failed) > 0 {
			o.killed++
			for _, name := range r.failed {
				o.failures[name]++
			}
			if namesRule(o.variant, r.first) {
				o.named++
			}
			o.first = append(o.first, r.failed[0]+": "+r.first)
		}
	}
	return o.done == runs
}

// printRun prints one run's result, for -v.
func printRun(o *outcome, r suiteRun) {
	switch {
	case len(r.failed) == 0:
		fmt.Fprintf(os.Stderr, "%s: survived (%.1fs)\n", o.variant.Name, r.real.Seconds())
	default:
		headline, _, _ := strings.Cut(r.first, "\n")
		fmt.Fprintf(os.Stderr, "%s: killed by %s (%.1fs)\n\t%s\n", o.variant.Name, strings.Join(r.failed, ", "),
			r.real.Seconds(), headline)
	}
}

// namesRule reports whether verdict, a failing test's, names the rule v
// breaks: whether it holds one of v's verdict words.
func namesRule(v *Variant, verdict string) bool {
	for _, words := range v.Verdicts {
		if strings.Contains(verdict, words) {
			return true
		}
	}
	return false
}

func failAll(vs []*Variant, err error) []*outcome {
	var outcomes []*outcome
	for _, v := range vs {
		outcomes = append(outcomes, &outcome{variant: v, err: err, failures: map[string]int{}})
	}
	return outcomes
}
