package runner

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"raftlabs/labtest/internal/schedule"
	"raftlabs/labtest/internal/testproc"
)

// Command-line flags of every lab's test binary. Each has an environment
// variable twin for grade.sh and for shells where flags are awkward. They
// are registered only in test binaries, so that a command that imports this
// package for its list of tests keeps its own flags.
var (
	seedFlag     = testFlag.Int64("seed", 0, "replay the network's and the harness's random choices of an earlier run (0: pick a new seed); env RAFTLABS_SEED")
	realtimeFlag = testFlag.Bool("realtime", false, "run tests in real time instead of virtual time; env RAFTLABS_REALTIME=1")
	stallFlag    = testFlag.Duration("stall", 10*time.Second, "real time (and CPU time, or real time with nothing able to run) after which a test whose virtual clock has stopped is failed; env RAFTLABS_STALL")
	wallFlag     = testFlag.Duration("wallclock", 0, "real-time limit for one test (0: 120s in virtual time, 600s in real time); env RAFTLABS_WALLCLOCK")
	inProcess    = testFlag.Bool("inprocess", false, "run each test in this process instead of a child process of its own (for a debugger); env RAFTLABS_INPROCESS=1")
	traceFlag    = testFlag.Bool("savetrace", false, "write every test's trace to a file, not only a failing test's (see docs/debugging.md); env RAFTLABS_TRACE=1. (Not -trace: go test keeps that name for Go's execution trace.)")
	debugFlag    = testFlag.String("debug", "", "turn on labdebug.Printf's topics: all, or a list such as vote,leader (see docs/debugging.md); env RAFTLABS_DEBUG")
	replayFlag   = testFlag.Bool("replay", true, "let the seed decide the whole run: one goroutine at a time (GOMAXPROCS=1) and math/rand's global source seeded from the seed (see docs/debugging.md); -replay=false runs on every core; env RAFTLABS_REPLAY=0")
)

// testFlag is the flag set the test binary parses, or a private one when
// the program is not a test.
var testFlag = func() *flag.FlagSet {
	if testing.Testing() {
		return flag.CommandLine
	}
	return flag.NewFlagSet("labtest", flag.ContinueOnError)
}()

// Settings is what the flags and environment decided for one test.
type Settings struct {
	Seed      int64
	Realtime  bool
	Stall     time.Duration
	Wallclock time.Duration
	InProcess bool
	Replay    bool               // the seed decides the run (testproc's replay.go)
	Schedule  *schedule.Schedule // a fuzzer's input as the fault schedule, or nil (labtest's fuzz.go)
}

func Current() Settings {
	s := Settings{
		Seed:      *seedFlag,
		Realtime:  *realtimeFlag,
		Stall:     *stallFlag,
		Wallclock: *wallFlag,
		InProcess: *inProcess,
		Replay:    replayFromEnv(*replayFlag),
	}
	if v, err := strconv.ParseInt(os.Getenv("RAFTLABS_SEED"), 10, 64); err == nil && s.Seed == 0 {
		s.Seed = v
	}
	if v, err := strconv.ParseBool(os.Getenv("RAFTLABS_REALTIME")); err == nil && v {
		s.Realtime = true
	}
	if v, err := strconv.ParseBool(os.Getenv("RAFTLABS_INPROCESS")); err == nil && v {
		s.InProcess = true
	}
	if v, err := time.ParseDuration(os.Getenv("RAFTLABS_STALL")); err == nil {
		s.Stall = v
	}
	if v, err := time.ParseDuration(os.Getenv("RAFTLABS_WALLCLOCK")); err == nil {
		s.Wallclock = v
	}
	if s.Seed == 0 {
		s.Seed = rand.Int64N(1_000_000) + 1
	}
	if !testing.Testing() {
		s.InProcess = true // a program that runs scenarios itself, not a test binary
	}
	if s.Wallclock == 0 {
		s.Wallclock = 120 * time.Second
		if s.Realtime {
			s.Wallclock = 600 * time.Second
		}
	}
	return s
}

// replayFromEnv returns whether tests run in replay mode: the -replay flag
// if it was given (value is its value), else RAFTLABS_REPLAY if it is
// set, else on.
func replayFromEnv(value bool) bool {
	given := false
	testFlag.Visit(func(f *flag.Flag) {
		if f.Name == "replay" {
			given = true
		}
	})
	if given {
		return value
	}
	if v, err := strconv.ParseBool(os.Getenv(testproc.ReplayEnv)); err == nil {
		return v
	}
	return value
}

// TraceFile is where the trace of test name with seed is written: in the
// folder RAFTLABS_TRACE_DIR, or raftlabs-traces in the system's folder
// for temporary files.
func TraceFile(name string, seed int64) string {
	dir := os.Getenv("RAFTLABS_TRACE_DIR")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "raftlabs-traces")
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	return filepath.Join(dir, fmt.Sprintf("%s-seed%d.jsonl", name, seed))
}

// TraceAlways reports whether every test writes its trace: -savetrace or
// RAFTLABS_TRACE=1.
func TraceAlways() bool {
	if *traceFlag {
		return true
	}
	v, err := strconv.ParseBool(os.Getenv("RAFTLABS_TRACE"))
	return err == nil && v
}

// DebugSpec returns the topics -debug (or RAFTLABS_DEBUG) turns on for
// package labdebug, if either is set.
func DebugSpec() (string, bool) {
	if *debugFlag != "" {
		return *debugFlag, true
	}
	return os.LookupEnv("RAFTLABS_DEBUG")
}

// traceArgs are the flags a test's child process needs to trace and log
// as this process was asked to.
func traceArgs() []string {
	var args []string
	if *traceFlag {
		args = append(args, "-savetrace")
	}
	if *debugFlag != "" {
		args = append(args, "-debug", *debugFlag)
	}
	return args
}
