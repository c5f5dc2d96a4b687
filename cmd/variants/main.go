package main

import (
	"bytes"
	"cmp"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"
)

func main() {
	runs := flag.Int("runs", 0, "suite runs per variant (default 20, or 10 with -check)")
	check := flag.Bool("check", false, "exit 1 if any variant survives one of its runs, or does not apply")
	race := flag.Bool("race", false, "build the test binaries with the race detector")
	workers := flag.Int("workers", 2, "suite runs at once")
	timeout := flag.Duration("timeout", 5*time.Minute, "real-time bound for one run of a suite")
	list := flag.Bool("list", false, "list the variants and what each breaks, and run nothing")
	verbose := flag.Bool("v", false, "print every run's result as it ends")
	writeRules := flag.Bool("rules", false, "write "+rulesDoc+", the table of rules, with the measurements of the variants run (alone: rewrite it, keeping its measurements)")
	dir := flag.String("dir", "", "read the variants from this folder (default: solutions/variants in the repository)")
	showArgs := flag.String("show", "", showUsage)
	submissions := flag.String("submissions", "", "write a class of -size submissions into this folder, half the reference and half the variants, and run nothing")
	size := flag.Int("size", 100, "with -submissions: how many submissions")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: go run ./cmd/variants [-runs N] [-check] [-race] [variant...]\n"+
			"       go run ./cmd/variants -submissions DIR [-size N] [variant...]\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if *runs == 0 {
		*runs = 20
		if *check {
			*runs = 10
		}
	}
	if *runs < 1 || *workers < 1 {
		fatalf("-runs and -workers must be at least 1")
	}

	root, err := findRoot()
	if err != nil {
		fatalf("%v", err)
	}
	if *dir == "" {
		*dir = filepath.Join(root, "solutions", "variants")
	}
	all, err := LoadVariants(*dir)
	if err != nil {
		fatalf("%v", err)
	}
	vs, err := selectVariants(all, flag.Args())
	if err != nil {
		fatalf("%v", err)
	}
	if *list {
		printList(os.Stdout, vs)
		return
	}
	if *writeRules && !*check && !explicit("runs") {
		if err := updateRules(root, all, nil, 0); err != nil {
			fatalf("%v", err)
		}
		return
	}
	if *submissions != "" {
		if err := writeClass(root, *submissions, *size, vs); err != nil {
			fatalf("%v", err)
		}
		fmt.Printf("wrote %d submissions into %s; grade them with ./grade.sh --class %s\n", *size, *submissions, *submissions)
		return
	}
	if *showArgs != "" {
		if err := checkShow(flag.Args()); err != nil {
			fatalf("%v", err)
		}
		if err := show(os.Stdout, root, vs[0], splitArgs(*showArgs), *race); err != nil {
			fatalf("%v", err)
		}
		return
	}

	mode := ""
	if *race {
		mode = " with -race"
	}
	fmt.Fprintf(os.Stderr, "running %d variants, %d suite runs each%s, %d at a time\n", len(vs), *runs, mode, *workers)
	start := time.Now()
	var printMu sync.Mutex
	outcomes := runAll(vs, runOptions{
		root: root, runs: *runs, workers: *workers, race: *race, timeout: *timeout, verbose: *verbose,
		firstKill: *check,
	}, func(o *outcome) {
		printMu.Lock()
		defer printMu.Unlock()
		if o.err != nil {
			fmt.Fprintf(os.Stderr, "%s: ERROR\n", o.variant.Name)
			return
		}
		fmt.Fprintf(os.Stderr, "%s: killed in %d of %d runs (%.0fs)\n", o.variant.Name, o.killed, o.done, o.real.Seconds())
	})

	printTable(os.Stdout, outcomes, *runs)
	fmt.Printf("\n%d variants, %d runs each%s, in %s\n", len(vs), *runs, mode, time.Since(start).Round(time.Second))

	bad := problems(outcomes, *runs, *check)
	if *check {
		bad = append(bad, ruleProblems(all)...)
	}
	if *writeRules {
		if err := updateRules(root, all, outcomes, *runs); err != nil {
			bad = append(bad, err.Error())
		}
	}
	for _, p := range bad {
		fmt.Fprintf(os.Stderr, "\n%s\n", p)
	}
	if len(bad) > 0 {
		os.Exit(1)
	}
}

// problems lists the variants that could not be run and, for -check, those
// the suite failed to kill in every one of their runs: a bug that a student's
// code can carry through one graded run in ten is a bug the grade misses.
func problems(outcomes []*outcome, runs int, check bool) []string {
	var ps []string
	for _, o := range outcomes {
		switch {
		case o.err != nil:
			ps = append(ps, fmt.Sprintf("ERROR %v", o.err))
		case check && o.variant.Equivalent && 2*o.killed >= runs:
			ps = append(ps, fmt.Sprintf("KILLED %s: marked equivalent (no test can catch it in this reference), "+
				"but the lab %d suite failed in %d of %d runs: the reference has changed, or a test is flaky; "+
				"if the bug is now visible, drop the \"equivalent\" line", o.variant.Name, o.variant.Lab, o.killed, runs))
		case check && !o.variant.Equivalent && o.killed < runs:
			ps = append(ps, fmt.Sprintf("SURVIVED %s: the lab %d suite failed in only %d of %d runs of this bug, "+
				"want every run: %s\n  a test is missing or too weak; strengthen the suite, not the variant",
				o.variant.Name, o.variant.Lab, o.killed, runs, o.variant.Title()))
		case check && len(o.variant.Verdicts) > 0 && 2*o.named < o.killed:
			// Most runs, not every run: which test kills a variant first can
			// depend on the seed, and a rare first failure whose history holds
			// no evidence of the rule is a weaker message, not a missed bug.
			// The table of rules still counts a variant as naming its rule
			// only when every killing run named it.
			ps = append(ps, fmt.Sprintf("UNNAMED %s: its verdict lines claim that its first verdict names its rule, "+
				"but %d of the %d runs that killed it failed first with a verdict holding none of %q, want at most half; "+
				"the first of them:\n  %s",
				o.variant.Name, o.killed-o.named, o.killed, o.variant.Verdicts, firstUnnamed(o)))
		}
	}
	return ps
}

// printTable prints a row per variant: how often the suite killed it, and
// the tests that failed most often.
func printTable(w io.Writer, outcomes []*outcome, runs int) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "VARIANT\tLAB\tKILLED\tRATE\tFAILED MOST OFTEN")
	for _, o := range outcomes {
		if o.err != nil {
			fmt.Fprintf(tw, "%s\t%d\t-\t-\tERROR (see below)\n", o.variant.Name, o.variant.Lab)
			continue
		}
		failed := topFailures(o.failures, 3)
		if o.variant.Equivalent {
			failed = strings.TrimSuffix("equivalent: must survive; "+failed, "; ")
		}
		fmt.Fprintf(tw, "%s\t%d\t%d/%d\t%.0f%%\t%s\n", o.variant.Name, o.variant.Lab, o.killed, runs,
			100*float64(o.killed)/float64(runs), failed)
	}
	tw.Flush()
}

// topFailures formats the n tests that failed in most runs, e.g.
// "TestStepDownLab1 9, TestReElectionLab1 4".
func topFailures(failures map[string]int, n int) string {
	names := slices.SortedFunc(maps.Keys(failures), func(a, b string) int {
		return cmp.Or(cmp.Compare(failures[b], failures[a]), cmp.Compare(a, b))
	})
	var parts []string
	for _, name := range names[:min(n, len(names))] {
		parts = append(parts, fmt.Sprintf("%s %d", name, failures[name]))
	}
	if len(names) > n {
		parts = append(parts, fmt.Sprintf("+%d more", len(names)-n))
	}
	return strings.Join(parts, ", ")
}

// printList prints each variant's name, lab and description.
func printList(w io.Writer, vs []*Variant) {
	for _, v := range vs {
		fmt.Fprintf(w, "%s (lab %d)\n\t%s\n\n", v.Name, v.Lab, strings.ReplaceAll(v.Doc, "\n", "\n\t"))
	}
}

// selectVariants picks the variants named on the command line, or all.
func selectVariants(all []*Variant, names []string) ([]*Variant, error) {
	if len(names) == 0 {
		return all, nil
	}
	var vs []*Variant
	for _, name := range names {
		k := slices.IndexFunc(all, func(v *Variant) bool { return v.Name == name })
		if k < 0 {
			var known []string
			for _, v := range all {
				known = append(known, v.Name)
			}
			return nil, fmt.Errorf("no variant %q; the variants are: %s", name, strings.Join(known, " "))
		}
		vs = append(vs, all[k])
	}
	return vs, nil
}

// findRoot returns the repository's root: the nearest directory at or above
// the working directory whose go.mod declares module raftlabs.
func findRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		mod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.HasPrefix(bytes.TrimSpace(mod), []byte("module raftlabs\n")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("not inside the raftlabs repository: run from its root, e.g. go run ./cmd/variants")
		}
		dir = parent
	}
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "variants: "+format+"\n", args...)
	os.Exit(2)
}

// explicit reports whether the flag name was set on the command line.
func explicit(name string) bool {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// firstUnnamed returns the first verdict of o's killing runs that does not
// name its rule.
func firstUnnamed(o *outcome) string {
	for _, first := range o.first {
		if !namesRule(o.variant, first) {
			headline, _, _ := strings.Cut(first, "\n")
			return headline
		}
	}
	return ""
}

// updateRules rewrites the table of rules with the measurements of the
// outcomes (runs each), keeping the measurements it holds of the other
// variants.
func updateRules(root string, all []*Variant, outcomes []*outcome, runs int) error {
	path := filepath.Join(root, rulesDoc)
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	measured := parseMeasurements(string(old))
	for _, o := range outcomes {
		if o.err == nil {
			measured[o.variant.Name] = measure(o, runs)
		}
	}
	if err := os.WriteFile(path, []byte(renderRules(all, measured)), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "wrote %s\n", rulesDoc)
	return nil
}
