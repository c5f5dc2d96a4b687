package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"raftlabs/grading"
	"raftlabs/labtest"
	"raftlabs/labtest/testrun"
)

func main() {
	// An interrupted grader (Ctrl-C, or SIGTERM from a batch system) stops
	// its builds and test processes and removes its temporary copies
	// before it exits; a second signal ends it at once.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop()
	}()
	os.Exit(runContext(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// Exit statuses.
const (
	exitFullMarks = 0
	exitNotFull   = 1
	exitUsage     = 2
	exitStopped   = 130 // interrupted, as a shell reports a process ended by SIGINT
)

// buildTimeout bounds one lab's build: generous, since a cold build cache
// compiles the standard library (twice with --race).
const buildTimeout = 10 * time.Minute

// config is what the command line asked for.
type config struct {
	labs       []labtest.Lab // in course order; empty: every lab present
	reference  bool
	runs, jobs int
	race       bool
	realtime   bool
	timeout    time.Duration
	jsonFile   string
	gradescope string
	submission string
	verbose    bool
	// traces is where the traces of failing tests go (--traces); "" keeps
	// the default: raftlabs-traces in the system's temporary folder, or
	// for a submission, the grading's own temporary folder, removed with it.
	traces string
	// testLimits and buildLimits are the resource limits of each test
	// process and each build (--limits).
	testLimits, buildLimits testrun.Limits

	// only, if set, keeps the tests whose names it matches (--run).
	only *regexp.Regexp
	// class is a folder of submissions to grade, one folder each (--class);
	// out is where the class's grades and logs go (--out).
	class, out string
	// sharedCache, with --class, builds in the go command's own build
	// cache instead of the class's own (--shared-cache).
	sharedCache bool
	// runsSet and jobsSet say whether --runs and --jobs were given: if not,
	// grade.conf's values stand.
	runsSet, jobsSet bool
}

// run is the whole command; it returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	return runContext(context.Background(), args, stdout, stderr)
}

// runContext is run, stopped when ctx is done.
func runContext(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseArgs(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, usage())
		return exitFullMarks
	}
	if err != nil {
		fmt.Fprintf(stderr, "grade: %v\nRun ./grade.sh -h for usage.\n", err)
		return exitUsage
	}
	root, err := findRoot()
	if err != nil {
		fmt.Fprintf(stderr, "grade: %v\n", err)
		return exitUsage
	}
	defaults, err := readDefaults(root)
	if err != nil {
		fmt.Fprintf(stderr, "grade: %v\n", err)
		return exitUsage
	}
	cfg = cfg.withDefaults(defaults)
	if cfg.class != "" {
		status, err := gradeClass(ctx, cfg, root, stdout, stderr)
		if err != nil {
			fmt.Fprintf(stderr, "grade: %v\n", err)
		}
		return status
	}
	g := &grader{ctx: ctx, cfg: cfg, defaults: defaults, root: root, out: stdout, progress: newProgress(stderr)}
	status, err := g.run()
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "grade: interrupted; its temporary copies and test processes are gone, and no report was written")
		return exitStopped
	}
	if err != nil {
		fmt.Fprintf(stderr, "grade: %v\n", err)
	}
	return status
}

// findRoot returns the course's root: the course the working folder is in,
// or else the one RAFTLABS_ROOT names (grade.sh sets it: it builds this
// program outside the course and may run it from anywhere), or else the
// one whose bin/ holds this program.
func findRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	root, err := grading.FindRoot(wd)
	if err == nil {
		return root, nil
	}
	if dir := os.Getenv("RAFTLABS_ROOT"); dir != "" {
		return grading.FindRoot(dir)
	}
	if exe, exeErr := os.Executable(); exeErr == nil {
		if root, exeErr := grading.FindRoot(filepath.Dir(exe)); exeErr == nil {
			return root, nil
		}
	}
	return "", err
}

// parseArgs reads the flags and lab names, which may come in any order.
func parseArgs(args []string) (config, error) {
	cfg := config{testLimits: grading.TestLimits, buildLimits: grading.BuildLimits}
	var only string
	fs := newFlagSet(&cfg, &only)
	var labArgs []string
	for {
		if err := fs.Parse(args); err != nil {
			return cfg, err
		}
		if fs.NArg() == 0 {
			break
		}
		labArgs = append(labArgs, fs.Arg(0))
		args = fs.Args()[1:]
	}
	fs.Visit(func(f *flag.Flag) {
		cfg.runsSet = cfg.runsSet || f.Name == "runs"
		cfg.jobsSet = cfg.jobsSet || f.Name == "jobs"
	})
	if only != "" {
		re, err := regexp.Compile(only)
		if err != nil {
			return cfg, fmt.Errorf("--run %q: %v", only, err)
		}
		cfg.only = re
	}
	switch {
	case cfg.runsSet && cfg.runs < 1:
		return cfg, fmt.Errorf("--runs must be at least 1, not %d", cfg.runs)
	case cfg.jobsSet && cfg.jobs < 1:
		return cfg, fmt.Errorf("--jobs must be at least 1, not %d", cfg.jobs)
	case cfg.timeout <= 0:
		return cfg, fmt.Errorf("--timeout must be positive, not %v", cfg.timeout)
	case cfg.reference && cfg.submission != "":
		return cfg, errors.New("--reference and --submission grade different code: give one of them")
	case cfg.class != "" && (cfg.reference || cfg.submission != ""):
		return cfg, errors.New("--class grades every submission in a folder: give it without --reference or --submission")
	case cfg.class != "" && cfg.gradescope != "":
		return cfg, errors.New("--class writes its own reports (--out); --gradescope is for one submission")
	case cfg.out != "" && cfg.class == "":
		return cfg, errors.New("--out names where --class writes its grades: give it with --class")
	case cfg.sharedCache && cfg.class == "":
		return cfg, errors.New("--shared-cache is for --class: give it with --class")
	}
	for _, arg := range labArgs {
		lab, err := labtest.FindLab(arg)
		if err != nil {
			return cfg, err
		}
		if !slices.Contains(cfg.labs, lab) {
			cfg.labs = append(cfg.labs, lab)
		}
	}
	slices.SortFunc(cfg.labs, func(a, b labtest.Lab) int { return a.Number - b.Number })
	return cfg, nil
}

// withDefaults fills in what the command line left to grade.conf.
func (cfg config) withDefaults(d classDefaults) config {
	if !cfg.runsSet {
		cfg.runs = d.Runs
	}
	if !cfg.jobsSet {
		cfg.jobs = d.Jobs
	}
	if cfg.jobs == 0 {
		cfg.jobs = runtime.NumCPU()
	}
	return cfg
}

func newFlagSet(cfg *config, only *string) *flag.FlagSet {
	fs := flag.NewFlagSet("grade", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // run prints errors and usage itself
	fs.BoolVar(&cfg.reference, "reference", false, "grade the reference solution instead of your code")
	fs.IntVar(&cfg.runs, "runs", 0, "run each test `N` times; it scores only if all N pass (default: runs in grade.conf)")
	fs.IntVar(&cfg.jobs, "jobs", 0, "run `N` test processes (with --class: submissions) at a time (default: jobs in grade.conf)")
	fs.BoolVar(&cfg.race, "race", false, "build with the race detector")
	fs.BoolVar(&cfg.realtime, "realtime", false, "run the tests in real time instead of virtual time")
	fs.DurationVar(&cfg.timeout, "timeout", 3*time.Minute, "real-time bound for one run of one test")
	fs.StringVar(&cfg.jsonFile, "json", "", "write a JSON report to `FILE`")
	fs.StringVar(&cfg.gradescope, "gradescope", "", "write Gradescope's results.json to `FILE`")
	fs.StringVar(&cfg.submission, "submission", "", "grade the student's tree in `DIR` with the course's own tests")
	fs.BoolVar(&cfg.verbose, "v", false, "print the verdict and whole output of every failing run")
	fs.StringVar(only, "run", "", "grade only the tests whose names match `REGEXP`; totals count only those")
	fs.StringVar(&cfg.class, "class", "", "grade every submission folder in `DIR`, each in its own copy of the course")
	fs.BoolVar(&cfg.sharedCache, "shared-cache", false, "with --class: build in go's own build cache (warm, but it keeps about 10 MB a student) instead of one of the class's own, removed at the end")
	fs.StringVar(&cfg.traces, "traces", "", "keep the traces of failing tests in `DIR` (default: a temporary folder, "+
		"removed at the end when grading a submission)")
	fs.Func("limits", "each test process's resource limits, as `memory=2GiB,cpu=2m,filesize=64MiB` "+
		"(any of them; the others keep these defaults), or off: none, for tests or builds", cfg.setLimits)
	fs.StringVar(&cfg.out, "out", "", "with --class: write grades.csv, grades.json, logs/ and traces/ to `DIR` (default class-grades); the same command again resumes")
	return fs
}

// setLimits reads --limits: "off", or name=value pairs that change the
// test processes' limits.
func (cfg *config) setLimits(spec string) error {
	if spec == "off" {
		cfg.testLimits, cfg.buildLimits = testrun.Limits{}, testrun.Limits{}
		return nil
	}
	for _, part := range strings.Split(spec, ",") {
		name, value, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return fmt.Errorf("%q is not name=value (memory=2GiB, cpu=2m, filesize=64MiB) or off", part)
		}
		var err error
		switch name {
		case "memory":
			cfg.testLimits.Memory, err = parseSize(value)
		case "filesize":
			cfg.testLimits.FileSize, err = parseSize(value)
		case "cpu":
			cfg.testLimits.CPU, err = time.ParseDuration(value)
			if err == nil && cfg.testLimits.CPU < time.Second {
				err = fmt.Errorf("%v is less than a second", value)
			}
		default:
			return fmt.Errorf("no limit named %q: memory, cpu or filesize", name)
		}
		if err != nil {
			return fmt.Errorf("%s: %v", name, err)
		}
	}
	return nil
}

// parseSize reads a size in bytes, with an optional unit: "2GiB", "64MiB",
// "512KiB", "1000".
func parseSize(s string) (int64, error) {
	units := []struct {
		suffix string
		shift  uint
	}{{"GiB", 30}, {"MiB", 20}, {"KiB", 10}, {"B", 0}, {"", 0}}
	for _, u := range units {
		if digits, ok := strings.CutSuffix(s, u.suffix); ok {
			n, err := strconv.ParseInt(digits, 10, 64)
			if err != nil || n <= 0 || n > math.MaxInt64>>u.shift {
				return 0, fmt.Errorf("%q is not a size such as 2GiB, 64MiB or 1000", s)
			}
			return n << u.shift, nil
		}
	}
	panic("unreachable: the empty suffix matches")
}

func usage() string {
	var b strings.Builder
	b.WriteString("usage: ./grade.sh [flags] [lab...]   (or: go run ./cmd/grade [flags] [lab...])\n\n")
	b.WriteString("A lab is lab1, 1 or lab1-election; with none, every lab is graded.\n")
	b.WriteString("Exit status: 0 at full marks, 1 otherwise, 2 for a usage error.\n\nFlags:\n")
	fs := newFlagSet(&config{}, new(string))
	fs.SetOutput(&b)
	fs.PrintDefaults()
	return b.String()
}
