package sweep

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"raftlabs/labtest/internal/testproc"
)

// A Sweep runs tests of a lab's test binary across many seeds, each run a
// process of its own in replay mode, with a pool of workers, and collects
// the failures: the search for the rare fault schedule that breaks a Raft,
// before a grader finds it. Every failing seed it reports replays with its
// rerun command.
type Sweep struct {
	Binary      string        // the lab's test binary
	Dir         string        // the lab folder, which rerun commands are relative to
	Tests       []string      // test names, e.g. "TestFigure8Lab2"; each seed runs every one
	FirstSeed   int64         // the first seed; the sweep runs FirstSeed, FirstSeed+1, ...
	Seeds       int           // how many seeds
	Jobs        int           // processes at a time; 0 means 1
	MaxFailures int           // stop after this many failures; 0 means never stop early
	TraceDir    string        // where failing runs write their traces; "" for the harness's default
	Timeout     time.Duration // real-time bound for one run; 0 means 2 minutes
	Args        []string      // further flags for each run, such as "-realtime"

	// Progress, if set, is called after each run, one call at a time.
	Progress func(Progress)
}

// Progress is a sweep's state after one more run.
type Progress struct {
	Runs, Failures int
	Elapsed        time.Duration
	Last           testproc.Result // the run just ended
}

// A Report is what a sweep found.
type Report struct {
	Runs     int           // test runs that ended (a seed runs every test)
	Seeds    int           // seeds whose every test ran
	Elapsed  time.Duration // real time
	Failures []Failure
	Stopped  bool // the sweep stopped early, at MaxFailures
}

// A Failure is one failing run.
type Failure struct {
	Test    string
	Seed    int64
	Verdict string
	Rerun   string
	Trace   string // the trace file, or "" if none was written
	Kind    string // the failure with its numbers left out, to group like failures
}

// RunsPerSecond is the sweep's speed in test runs per second of real time.
func (r *Report) RunsPerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Runs) / r.Elapsed.Seconds()
}

// Kinds groups the failures by kind, most frequent first (ties in the
// order first seen), each with one example.
func (r *Report) Kinds() []Kind {
	var kinds []Kind
	at := map[string]int{}
	for _, f := range r.Failures {
		k, ok := at[f.Kind]
		if !ok {
			k = len(kinds)
			at[f.Kind] = k
			kinds = append(kinds, Kind{Kind: f.Kind, Example: f})
		}
		kinds[k].Count++
	}
	slices.SortStableFunc(kinds, func(a, b Kind) int { return b.Count - a.Count })
	return kinds
}

// A Kind is a group of failures alike but for their numbers.
type Kind struct {
	Kind    string
	Count   int
	Example Failure // the first failure of the kind
}

// Run runs the sweep until every seed has run, MaxFailures failures are
// found, or ctx is done.
func (s *Sweep) Run(ctx context.Context) Report {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := max(s.Jobs, 1)
	timeout := s.Timeout
	if timeout == 0 {
		timeout = 2 * time.Minute
	}
	type job struct {
		seed int64
		test string
	}
	work := make(chan job)
	go func() {
		defer close(work)
		for k := range s.Seeds {
			for _, test := range s.Tests {
				select {
				case work <- job{s.FirstSeed + int64(k), test}:
				case <-ctx.Done():
					return
				}
			}
		}
	}()

	var (
		mu     sync.Mutex
		rep    Report
		ran    = map[int64]int{} // tests ended per seed
		start  = time.Now()
		wg     sync.WaitGroup
		env    []string
		traces = s.TraceDir
	)
	if traces != "" {
		env = append(env, "RAFTLABS_TRACE_DIR="+traces)
	}
	for range jobs {
		wg.Go(func() {
			for j := range work {
				res, _ := testproc.Run(ctx, testproc.Process{
					Binary:  s.Binary,
					Dir:     s.Dir,
					Test:    j.test,
					Args:    append([]string{"-seed", strconv.FormatInt(j.seed, 10)}, s.Args...),
					Env:     env,
					Timeout: timeout,
					Isolate: true,
				})
				if ctx.Err() != nil {
					return // cut short by the sweep's end: not a result
				}
				mu.Lock()
				if rep.Stopped {
					// Another job found the last failure wanted while this
					// one was running: the sweep is over.
					mu.Unlock()
					return
				}
				rep.Runs++
				if ran[j.seed]++; ran[j.seed] == len(s.Tests) {
					rep.Seeds++
				}
				if !res.Passed {
					rep.Failures = append(rep.Failures, sweepFailure(j.test, j.seed, res))
					if s.MaxFailures > 0 && len(rep.Failures) >= s.MaxFailures {
						rep.Stopped = true
						cancel()
					}
				}
				if s.Progress != nil {
					s.Progress(Progress{Runs: rep.Runs, Failures: len(rep.Failures), Elapsed: time.Since(start), Last: res})
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	rep.Elapsed = time.Since(start)
	return rep
}

// sweepFailure makes a failing run's record.
func sweepFailure(test string, seed int64, res testproc.Result) Failure {
	f := Failure{Test: test, Seed: seed, Verdict: res.Verdict, Rerun: res.Rerun, Kind: FailureKind(test, res)}
	if m := tracePath.FindStringSubmatch(res.Verdict); m != nil {
		f.Trace = m[1]
	}
	return f
}

// tracePath finds the trace file a verdict names.
var tracePath = regexp.MustCompile(`(?m)^\s*trace: (\S+)`)

// FailureKind is a failure of test without its numbers: the test, where
// the scenario was, and the verdict's headline with every number replaced
// by N, so that "term 4 has 2 leaders [s1 s3]" and "term 7 has 2 leaders
// [s0 s2]" are one kind. It is "" for a run that passed.
func FailureKind(test string, res testproc.Result) string {
	if res.Passed {
		return ""
	}
	headline := strings.TrimSpace(firstLine(res.Verdict))
	if f := res.Failure; f != nil {
		headline = strings.TrimSpace(firstLine(f.Error()))
		if f.Where != "" {
			headline = f.Where + ": " + headline
		}
	}
	return test + ": " + digits.ReplaceAllString(headline, "N")
}

var digits = regexp.MustCompile(`[0-9]+(\.[0-9]+)?`)

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// WriteFailures writes each failure to a file of its own in dir,
// TestX-seedN.txt: the test, the seed, the rerun command, the trace and
// the verdict. It returns the files' paths.
func (r *Report) WriteFailures(dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var paths []string
	for _, f := range r.Failures {
		var b strings.Builder
		fmt.Fprintf(&b, "test:  %s\nseed:  %d\nrerun: %s\n", f.Test, f.Seed, f.Rerun)
		if f.Trace != "" {
			fmt.Fprintf(&b, "trace: %s\n", f.Trace)
		}
		fmt.Fprintf(&b, "\n%s\n", strings.TrimRight(f.Verdict, "\n"))
		path := filepath.Join(dir, fmt.Sprintf("%s-seed%d.txt", f.Test, f.Seed))
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			return paths, err
		}
		paths = append(paths, path)
	}
	return paths, nil
}
