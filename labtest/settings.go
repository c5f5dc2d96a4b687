package labtest

import (
	"flag"
	"math/rand/v2"
	"os"
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
	stallFlag    = testFlag.Duration("stall", 10*time.Second, "real time after which a test whose virtual clock has stopped is failed; env RAFTLABS_STALL")
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

// VirtualTimeLimit is the longest a test may run on its own clock. A test
// that reaches it is stuck: a goroutine waits for ever while a timer keeps
// the clock moving.
const VirtualTimeLimit = 300 * time.Second

// settings is what the flags and environment decided for one test.
type settings struct {
	seed      int64
	realtime  bool
	stall     time.Duration
	wallclock time.Duration
	inProcess bool
	replay    bool               // the seed decides the run (testproc's replay.go)
	schedule  *schedule.Schedule // a fuzzer's input as the fault schedule, or nil (fuzz.go)
}

func currentSettings() settings {
	s := settings{
		seed:      *seedFlag,
		realtime:  *realtimeFlag,
		stall:     *stallFlag,
		wallclock: *wallFlag,
		inProcess: *inProcess,
		replay:    replayFromEnv(*replayFlag),
	}
	if v, err := strconv.ParseInt(os.Getenv("RAFTLABS_SEED"), 10, 64); err == nil && s.seed == 0 {
		s.seed = v
	}
	if v, err := strconv.ParseBool(os.Getenv("RAFTLABS_REALTIME")); err == nil && v {
		s.realtime = true
	}
	if v, err := strconv.ParseBool(os.Getenv("RAFTLABS_INPROCESS")); err == nil && v {
		s.inProcess = true
	}
	if v, err := time.ParseDuration(os.Getenv("RAFTLABS_STALL")); err == nil {
		s.stall = v
	}
	if v, err := time.ParseDuration(os.Getenv("RAFTLABS_WALLCLOCK")); err == nil {
		s.wallclock = v
	}
	if s.seed == 0 {
		s.seed = rand.Int64N(1_000_000) + 1
	}
	if !testing.Testing() {
		s.inProcess = true // a program that runs scenarios itself, not a test binary
	}
	if s.wallclock == 0 {
		s.wallclock = 120 * time.Second
		if s.realtime {
			s.wallclock = 600 * time.Second
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
