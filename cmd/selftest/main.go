package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"

	"raftlabs/grading"
)

func main() {
	short := flag.Bool("short", false, "unit tests with -short and without -race, the reference without -race; skip the buggy variants and the students' copy")
	referenceRuns := flag.Int("reference-runs", 1, "run each test of the reference `N` times")
	flag.Parse()
	if flag.NArg() > 0 || *referenceRuns < 1 {
		fmt.Fprintln(os.Stderr, "usage: go run ./cmd/selftest [-short] [-reference-runs N]")
		os.Exit(2)
	}
	root, err := grading.FindRoot(".")
	if err != nil {
		fmt.Fprintln(os.Stderr, "selftest:", err)
		os.Exit(2)
	}
	st := &selftest{root: root, short: *short, referenceRuns: *referenceRuns, out: os.Stdout}
	if !st.runAll(st.steps()) {
		os.Exit(1)
	}
}

// A selftest is one run of the course's own tests.
type selftest struct {
	root          string
	short         bool
	referenceRuns int
	out           io.Writer
}

// A step is one check. It returns what to show when it fails (or a note),
// and an error when it fails; errSkipped skips it.
type step struct {
	name string
	run  func() (output string, err error)
}

// errSkipped is returned by a step that does not apply; its output says why.
var errSkipped = errors.New("skipped")

// runAll runs the steps in order and reports each, then the counts. It
// returns whether every step passed (or was skipped).
func (st *selftest) runAll(steps []step) bool {
	passed, failed := 0, 0
	for _, s := range steps {
		start := time.Now()
		output, err := s.run()
		took := time.Since(start)
		switch {
		case errors.Is(err, errSkipped):
			fmt.Fprintf(st.out, "skip  %s  (%s)\n", s.name, strings.TrimSpace(output))
			continue
		case err != nil:
			failed++
			fmt.Fprintf(st.out, "FAIL  %s  %.1fs\n", s.name, took.Seconds())
			if text := strings.TrimSpace(strings.TrimSpace(output) + "\n" + err.Error()); text != "" {
				fmt.Fprintln(st.out, indent(lastLines(text, maxFailureLines), "      "))
			}
		default:
			passed++
			fmt.Fprintf(st.out, "pass  %s  %.1fs\n", s.name, took.Seconds())
		}
	}
	fmt.Fprintf(st.out, "%d passed, %d failed\n", passed, failed)
	return failed == 0
}

// maxFailureLines is how much of a failing step's output is shown: the end,
// where go test and go vet put their summaries.
const maxFailureLines = 400

// commandTimeout bounds one go command of a step.
const commandTimeout = 15 * time.Minute

// goCommand runs go with args in the course's root and returns its output.
func (st *selftest) goCommand(args ...string) (string, error) {
	return st.command("go", args...)
}

func (st *selftest) command(name string, args ...string) (string, error) {
	return st.commandWithin(commandTimeout, name, args...)
}

// commandWithin runs name with args in the course's root, giving up after
// limit, and returns its output.
func (st *selftest) commandWithin(limit time.Duration, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = st.root
	cmd.WaitDelay = 5 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		err = fmt.Errorf("%s %s: gave up after %v", name, strings.Join(args, " "), limit)
	}
	return out.String(), err
}

func lastLines(text string, n int) string {
	lines := strings.Split(text, "\n")
	if len(lines) <= n {
		return text
	}
	return fmt.Sprintf("... (%d earlier lines not shown)\n%s", len(lines)-n, strings.Join(lines[len(lines)-n:], "\n"))
}

func indent(text, prefix string) string {
	return prefix + strings.ReplaceAll(text, "\n", "\n"+prefix)
}
