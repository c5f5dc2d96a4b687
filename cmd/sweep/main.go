package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"raftlabs/grading"
	"raftlabs/labtest"
	"raftlabs/labtest/testrun"
)

// config is what the command line asked for.
type config struct {
	lab       labtest.Lab
	tests     []string
	seeds     int
	from      int64
	failures  int
	jobs      int
	reference bool
	race      bool
	timeout   time.Duration
	out       string
}

func main() {
	cfg, err := parseArgs(os.Args[1:], os.Stderr)
	if err == flag.ErrHelp {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "sweep: %v\n", err)
		os.Exit(2)
	}
	root, err := courseRoot()
	if err != nil {
		fmt.Fprintf(os.Stderr, "sweep: %v\n", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	failed, err := sweep(ctx, os.Stdout, root, cfg)
	if err != nil {
		fmt.Fprintf(os.Stderr, "sweep: %v\n", err)
		os.Exit(2)
	}
	if failed {
		os.Exit(1)
	}
}

// parseArgs reads flags and names in any order.
func parseArgs(args []string, stderr io.Writer) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("sweep", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&cfg.seeds, "seeds", 1000, "how many seeds")
	fs.Int64Var(&cfg.from, "from", 1, "the first seed")
	fs.IntVar(&cfg.failures, "failures", 5, "stop after this many failures (0: run every seed)")
	fs.IntVar(&cfg.jobs, "jobs", runtime.NumCPU(), "test processes at a time")
	fs.BoolVar(&cfg.reference, "reference", false, "sweep the reference solution instead of your code")
	fs.BoolVar(&cfg.race, "race", false, "build with the race detector (runs do not replay exactly)")
	fs.DurationVar(&cfg.timeout, "timeout", 2*time.Minute, "real-time bound for one run")
	fs.StringVar(&cfg.out, "out", "", "where failures and their traces go (default: a new temporary folder)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: ./grade.sh sweep [flags] lab [test...]\n"+
			"Runs a lab's tests (or the named ones: TestFigure8Lab2, or a scenario, Figure8) across many seeds.\n\n")
		fs.PrintDefaults()
	}
	var names []string
	for {
		if err := fs.Parse(args); err != nil {
			return cfg, err
		}
		if fs.NArg() == 0 {
			break
		}
		names = append(names, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(names) == 0 {
		fs.Usage()
		return cfg, fmt.Errorf("name a lab, e.g. ./grade.sh sweep lab2 Figure8")
	}
	if cfg.seeds < 1 || cfg.jobs < 1 || cfg.failures < 0 {
		return cfg, fmt.Errorf("-seeds and -jobs must be at least 1, -failures at least 0")
	}
	lab, err := labtest.FindLab(names[0])
	if err != nil {
		return cfg, err
	}
	cfg.lab = lab
	cfg.tests, err = selectTests(lab, names[1:])
	return cfg, err
}

// selectTests returns the tests of lab's folder that names pick, or all of
// them for no names.
func selectTests(lab labtest.Lab, names []string) ([]string, error) {
	all := labtest.TestsUpTo(lab.Number)
	var picked []string
	for _, name := range names {
		n := len(picked)
		for _, t := range all {
			if t.Name() == name || t.ScenarioName() == name || t.ScenarioName() == strings.TrimPrefix(name, "Test") {
				picked = append(picked, t.Name())
			}
		}
		if len(picked) == n {
			var known []string
			for _, t := range all {
				known = append(known, t.ScenarioName())
			}
			return nil, fmt.Errorf("%s has no test %q; its scenarios are %s", lab.Dir, name, strings.Join(known, ", "))
		}
	}
	if len(names) == 0 {
		for _, t := range all {
			picked = append(picked, t.Name())
		}
	}
	return picked, nil
}

// courseRoot is RAFTLABS_ROOT (grade.sh sets it) or the course folder
// around the current one.
func courseRoot() (string, error) {
	if root := os.Getenv("RAFTLABS_ROOT"); root != "" {
		return root, nil
	}
	return grading.FindRoot(".")
}

// errNoReference is sweep's error for -reference in the students' copy.
var errNoReference = errors.New("-reference: this copy of the course has no reference solution (no solutions/ folder); " +
	"it is a student's copy, made by cmd/handout")

// sweep builds the lab and runs the sweep, printing as it goes. It reports
// whether any run failed.
func sweep(ctx context.Context, w io.Writer, root string, cfg config) (failed bool, err error) {
	if cfg.reference {
		if info, err := os.Stat(filepath.Join(root, "solutions")); err != nil || !info.IsDir() {
			return false, errNoReference
		}
	}
	tmp, err := os.MkdirTemp("", "raftlabs-sweep-build-")
	if err != nil {
		return false, err
	}
	defer os.RemoveAll(tmp)
	bin, err := grading.Build(root, cfg.lab, grading.Source{Reference: cfg.reference},
		grading.BuildOptions{Dir: tmp, Race: cfg.race})
	if err != nil {
		return false, err
	}
	out := cfg.out
	if out == "" {
		out, err = os.MkdirTemp("", fmt.Sprintf("raftlabs-sweep-%s-", cfg.lab.Dir))
	} else {
		err = os.MkdirAll(out, 0o755)
	}
	if err != nil {
		return false, err
	}
	if out, err = filepath.Abs(out); err != nil {
		return false, err
	}

	fmt.Fprintf(w, "sweep %s: %s, seeds %d to %d, %d at a time, stopping after %s\n",
		cfg.lab.Dir, testList(cfg.tests), cfg.from, cfg.from+int64(cfg.seeds)-1, cfg.jobs, failuresLimit(cfg.failures))
	p := &progress{w: w, every: 5 * time.Second, total: cfg.seeds * len(cfg.tests)}
	s := testrun.Sweep{
		Binary:      bin,
		Dir:         filepath.Join(root, cfg.lab.Dir),
		Tests:       cfg.tests,
		FirstSeed:   cfg.from,
		Seeds:       cfg.seeds,
		Jobs:        cfg.jobs,
		MaxFailures: cfg.failures,
		TraceDir:    out,
		Timeout:     cfg.timeout,
		Progress:    p.update,
	}
	rep := s.Run(ctx)
	if _, err := rep.WriteFailures(out); err != nil {
		return len(rep.Failures) > 0, err
	}
	printReport(w, &rep, out)
	return len(rep.Failures) > 0, nil
}

func testList(tests []string) string {
	if len(tests) > 3 {
		return fmt.Sprintf("%d tests", len(tests))
	}
	return strings.Join(tests, ", ")
}

func failuresLimit(n int) string {
	if n == 0 {
		return "every seed"
	}
	if n == 1 {
		return "the first failure"
	}
	return fmt.Sprintf("%d failures", n)
}
