package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"raftlabs/grading"
	"raftlabs/labtest"
)

// testTimeout bounds one run of one test. A test in real time may use up to
// 600s of real time before the harness stops it; this is a little more.
const testTimeout = 11 * time.Minute

func main() {
	log.SetFlags(0)
	log.SetPrefix("clockbench: ")
	// A flag set of our own: importing labtest defines the test binaries'
	// flags (-seed among them) on the default one.
	flags := flag.NewFlagSet("clockbench", flag.ExitOnError)
	seed := flags.Int64("seed", 0, "seed for every run (0: pick one)")
	race := flags.Bool("race", false, "build the test binaries with the race detector")
	virtualOnly := flags.Bool("virtual", false, "run each test on the virtual clock only, not in real time (to measure its CPU time)")
	flags.Usage = func() {
		fmt.Fprintf(flags.Output(), "usage: go run ./cmd/clockbench [-seed N] [-race] [-virtual] [lab...]\n")
		flags.PrintDefaults()
	}
	flags.Parse(os.Args[1:])

	labs, err := selectLabs(flags.Args())
	if err != nil {
		log.Fatal(err)
	}
	root, err := grading.FindRoot(".")
	if err != nil {
		log.Fatal(err)
	}
	if *seed == 0 {
		*seed = rand.Int64N(1_000_000) + 1
	}
	modes := "each test once on the virtual clock and once in real time"
	if *virtualOnly {
		modes = "each test once on the virtual clock"
	}
	fmt.Printf("clockbench: the reference solution, seed %d%s, %s\n\n",
		*seed, map[bool]string{true: ", -race", false: ""}[*race], modes)

	// Every lab's runs on the virtual clock come first, then every lab's
	// real-time runs: see the package comment for why.
	dir, err := os.MkdirTemp("", "clockbench-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	benches := make([]labBench, len(labs))
	for i, lab := range labs {
		benches[i], err = benchVirtual(root, dir, lab, *seed, *race)
		if err != nil {
			os.RemoveAll(dir)
			log.Fatal(err)
		}
	}
	if !*virtualOnly {
		for i := range benches {
			benchReal(&benches[i], *seed)
		}
	}

	failed := false
	var totals []labTotal
	for _, b := range benches {
		if printTable(os.Stdout, b.lab, b.rows, *virtualOnly) {
			failed = true
		}
		totals = append(totals, sum(b.lab, b.rows))
	}
	if len(totals) > 1 {
		printTotals(os.Stdout, totals, *virtualOnly)
	}
	if failed {
		os.RemoveAll(dir)
		os.Exit(1)
	}
}

// row is one test measured in both modes.
type row struct {
	test     labtest.Test
	virtual  grading.Result // on the virtual clock
	cpu      time.Duration  // the CPU time, user and system, of the virtual clock's run
	realtime grading.Result // in real time; zero with -virtual
}

// A labBench is one lab's test binary, built against the reference, and
// its tests' runs.
type labBench struct {
	lab    labtest.Lab
	bin    string // the test binary
	labDir string
	rows   []row
}

// benchVirtual builds lab against the reference, into dir, and runs each
// of its own tests on the virtual clock, one after another, as a student's
// go test and the grader run them, printing progress to standard error.
//
// The real-time runs (benchReal) come after every lab's runs on the
// virtual clock: see the package comment for why.
func benchVirtual(root, dir string, lab labtest.Lab, seed int64, race bool) (labBench, error) {
	fmt.Fprintf(os.Stderr, "building %s against the reference...\n", lab.Dir)
	labTmp := filepath.Join(dir, lab.Dir)
	if err := os.Mkdir(labTmp, 0o755); err != nil {
		return labBench{}, err
	}
	bin, err := grading.Build(root, lab, grading.Source{Reference: true}, grading.BuildOptions{Dir: labTmp, Race: race})
	if err != nil {
		return labBench{}, err
	}
	b := labBench{lab: lab, bin: bin, labDir: filepath.Join(root, lab.Dir)}
	for _, test := range labtest.Suite {
		if test.Lab != lab.Number {
			continue
		}
		r := row{test: test}
		fmt.Fprintf(os.Stderr, "  %s: virtual clock...", test.Name())
		before := childrenCPU()
		r.virtual = grading.RunTest(bin, b.labDir, test, grading.RunOptions{Seed: seed, Timeout: testTimeout})
		r.cpu = childrenCPU() - before
		fmt.Fprintf(os.Stderr, " %.2fs, %.2fs of CPU\n", r.virtual.Real.Seconds(), r.cpu.Seconds())
		b.rows = append(b.rows, r)
	}
	return b, nil
}

// benchReal runs each of b's tests in real time, printing progress to
// standard error.
func benchReal(b *labBench, seed int64) {
	for i := range b.rows {
		fmt.Fprintf(os.Stderr, "  %s: real time...", b.rows[i].test.Name())
		b.rows[i].realtime = grading.RunTest(b.bin, b.labDir, b.rows[i].test, grading.RunOptions{Seed: seed, Timeout: testTimeout,
			Env: []string{"RAFTLABS_REALTIME=1"}})
		fmt.Fprintf(os.Stderr, " %.2fs\n", b.rows[i].realtime.Real.Seconds())
	}
}

// printTable writes lab's table and reports whether any run failed. With
// virtualOnly, the rows have no real-time runs.
func printTable(out io.Writer, lab labtest.Lab, rows []row, virtualOnly bool) (failed bool) {
	fmt.Fprintf(out, "lab %d (%s)\n", lab.Number, lab.Dir)
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "test\tclock\tvirtual mode\tits CPU\treal mode\tratio\t\n")
	var failures []string
	for _, r := range rows {
		note := ""
		runs := []struct {
			mode string
			res  grading.Result
		}{{"virtual", r.virtual}, {"real", r.realtime}}
		if virtualOnly {
			runs = runs[:1]
		}
		for _, m := range runs {
			if !m.res.Passed {
				failed = true
				note = "  FAILED"
				failures = append(failures, fmt.Sprintf("%s in %s mode (seed %d): %s",
					r.test.Name(), m.mode, m.res.Seed, firstLine(m.res.Verdict)))
			}
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.test.Name(), secs(r.virtual.Virtual), secs(r.virtual.Real),
			secs(r.cpu), realSecs(r.realtime.Real, virtualOnly), ratio(r.realtime.Real, r.virtual.Real), note)
	}
	t := sum(lab, rows)
	fmt.Fprintf(w, "total\t%s\t%s\t%s\t%s\t%s\t\n", secs(t.clock), secs(t.virtual), secs(t.cpu),
		realSecs(t.real, virtualOnly), ratio(t.real, t.virtual))
	w.Flush()
	for _, f := range failures {
		fmt.Fprintf(out, "  %s\n", f)
	}
	fmt.Fprintln(out)
	return failed
}

// labTotal is one lab's suite, summed over its tests.
type labTotal struct {
	lab                       labtest.Lab
	clock, virtual, cpu, real time.Duration
}

func sum(lab labtest.Lab, rows []row) labTotal {
	t := labTotal{lab: lab}
	for _, r := range rows {
		t.clock += r.virtual.Virtual
		t.virtual += r.virtual.Real
		t.cpu += r.cpu
		t.real += r.realtime.Real
	}
	return t
}

// printTotals writes the labs side by side, and all of them together.
func printTotals(out io.Writer, totals []labTotal, virtualOnly bool) {
	fmt.Fprintln(out, "the labs side by side")
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "lab\tclock\tvirtual mode\tits CPU\treal mode\tratio\t\n")
	all := labTotal{}
	for _, t := range totals {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t\n", t.lab.Dir, secs(t.clock), secs(t.virtual), secs(t.cpu),
			realSecs(t.real, virtualOnly), ratio(t.real, t.virtual))
		all.clock += t.clock
		all.virtual += t.virtual
		all.cpu += t.cpu
		all.real += t.real
	}
	fmt.Fprintf(w, "all\t%s\t%s\t%s\t%s\t%s\t\n", secs(all.clock), secs(all.virtual), secs(all.cpu),
		realSecs(all.real, virtualOnly), ratio(all.real, all.virtual))
	w.Flush()
	fmt.Fprintln(out)
}

// realSecs is secs for the real-time column, which -virtual leaves empty.
func realSecs(d time.Duration, virtualOnly bool) string {
	if virtualOnly {
		return "-"
	}
	return secs(d)
}

func secs(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', 2, 64) + "s" }

func ratio(slow, fast time.Duration) string {
	if fast <= 0 || slow <= 0 {
		return "-"
	}
	return strconv.FormatFloat(float64(slow)/float64(fast), 'f', 1, 64) + "×"
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// selectLabs turns the arguments ("lab1", "1", "lab1-election") into labs;
// none means every lab.
func selectLabs(args []string) ([]labtest.Lab, error) {
	if len(args) == 0 {
		return labtest.Labs, nil
	}
	var labs []labtest.Lab
	for _, arg := range args {
		found := false
		for _, lab := range labtest.Labs {
			n := strconv.Itoa(lab.Number)
			if arg == n || arg == "lab"+n || strings.TrimSuffix(arg, "/") == lab.Dir {
				labs = append(labs, lab)
				found = true
			}
		}
		if !found {
			var names []string
			for _, lab := range labtest.Labs {
				names = append(names, fmt.Sprintf("lab%d", lab.Number))
			}
			return nil, fmt.Errorf("no lab %q (the labs are %s)", arg, strings.Join(names, ", "))
		}
	}
	return labs, nil
}
