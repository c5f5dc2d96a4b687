package grading

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"

	"raftlabs/labtest"
)

// RunOptions are how one test is run.
type RunOptions struct {
	Timeout time.Duration // real-time bound for the process; 0 means 5 minutes
	Seed    int64         // 0: the test picks its own
	Env     []string      // added to the environment, e.g. RAFTLABS_REALTIME=1
}

// Result is what one run of one test did.
type Result struct {
	Test    labtest.Test
	Passed  bool
	Seed    int64
	Virtual time.Duration // the test's own clock; 0 in real time
	Real    time.Duration // the process's real time
	RPCs    int
	Bytes   int64
	Verdict string // why it failed, in the harness's words (first lines)
	Output  string // everything the test printed
}

var (
	summaryLine = regexp.MustCompile(`(?m)^  (passed|FAILED)  (?:([\d.]+)s virtual  )?([\d.]+)s real  (\d+) peers  (\d+) RPCs  (\d+) bytes  (\d+) commands$`)
	seedLine    = regexp.MustCompile(`(?m)^Test \S+: seed (\d+),`)
)

// RunTest runs test from the test binary bin as its own process, in labDir,
// and reads its summary line.
func RunTest(bin, labDir string, test labtest.Test, opts RunOptions) Result {
	if opts.Timeout == 0 {
		opts.Timeout = 5 * time.Minute
	}
	ctx, cancel := context.WithTimeout(context.Background(), opts.Timeout)
	defer cancel()
	args := []string{"-test.run", "^" + test.Name() + "$", "-test.v", "-test.timeout", "0"}
	if opts.Seed != 0 {
		args = append(args, "-seed", strconv.FormatInt(opts.Seed, 10))
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = labDir
	cmd.Env = append(os.Environ(), opts.Env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()

	res := Result{Test: test, Real: time.Since(start), Output: out.String()}
	if m := seedLine.FindStringSubmatch(res.Output); m != nil {
		res.Seed, _ = strconv.ParseInt(m[1], 10, 64)
	}
	if m := summaryLine.FindStringSubmatch(res.Output); m != nil {
		res.Passed = m[1] == "passed" && err == nil
		if m[2] != "" {
			v, _ := strconv.ParseFloat(m[2], 64)
			res.Virtual = time.Duration(v * float64(time.Second))
		}
		res.RPCs, _ = strconv.Atoi(m[5])
		res.Bytes, _ = strconv.ParseInt(m[6], 10, 64)
	}
	if !res.Passed {
		res.Verdict = verdict(res.Output, ctx.Err(), err, opts.Timeout)
	}
	return res
}

// failureLine is where a test's failure message starts: "    lab1.go:16: ...".
var failureLine = regexp.MustCompile(`^    \S+\.go:\d+: `)

// verdict picks the lines that say why a test failed.
func verdict(output string, ctxErr, runErr error, timeout time.Duration) string {
	if errors.Is(ctxErr, context.DeadlineExceeded) {
		return fmt.Sprintf("killed after %v of real time without finishing", timeout)
	}
	lines := strings.Split(output, "\n")
	for k, line := range lines {
		switch {
		case strings.HasPrefix(line, "panic: "), strings.HasPrefix(line, "fatal error: "):
			return strings.Join(lines[k:min(k+3, len(lines))], "\n")
		case failureLine.MatchString(line):
			msg := []string{strings.TrimSpace(failureLine.ReplaceAllString(line, ""))}
			for _, l := range lines[k+1:] {
				if len(msg) == 3 || !strings.HasPrefix(l, "        ") {
					break
				}
				msg = append(msg, strings.TrimSpace(l))
			}
			return strings.Join(msg, "\n")
		}
	}
	if runErr != nil {
		return fmt.Sprintf("the test process failed (%v) without a summary line", runErr)
	}
	return "the test printed no summary line"
}
