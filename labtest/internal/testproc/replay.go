package testproc

import (
	"math/rand"
	"os"
	"runtime"
	"strconv"
	"strings"
)

// Replay mode, the default: a test's seed decides the whole run, so that the
// rerun command a failure prints fails the same way again. Three things
// decide a run:
//
//   - the network's and the harness's random choices, which always come
//     from sources seeded with the test's seed (labrpc's faults, the
//     scenarios' picks, Make's stagger);
//   - the student's own randomness: math/rand's global functions (rand.Intn,
//     rand.Int63n, ...) are seeded from the test's seed too. Go ignores
//     rand.Seed unless the GODEBUG setting randseednop=0 is on, so the
//     test's process turns it on. math/rand/v2's global functions and
//     crypto/rand cannot be seeded: code that uses them does not replay;
//   - the order in which goroutines run. Goroutines that wake at the same
//     instant of the virtual clock run in the Go scheduler's order; with one
//     goroutine running at a time (GOMAXPROCS=1) that order repeats, given
//     the same program and the same inputs. On more cores it does not.
//
// What replay cannot fix: code that ranges over a map or selects among
// several ready channels in a way that changes what it does (Go randomizes
// both), the race detector (which shuffles the scheduler on purpose), and
// the rare real-time event: a goroutine that runs for over 10 ms without
// blocking is preempted at a moment of real time, as is the running
// goroutine when the garbage collector stops the world. A run that does not
// replay still leaves its trace, the record of what happened.

// ReplayEnv is the environment variable that turns replay mode off (0) or
// on (1) when the -replay flag is not given.
const ReplayEnv = "RAFTLABS_REPLAY"

// childReplays reports whether a test process started with env (on top
// of this process's own) runs in replay mode: unless Parallel asks for
// every core or the environment turns replay off.
func (p *Process) childReplays() bool {
	if p.Parallel {
		return false
	}
	v, err := strconv.ParseBool(lookupEnv(append(p.baseEnv(), p.Env...), ReplayEnv))
	return err != nil || v
}

// replayChildEnv is what a test's process needs in its environment to
// replay: one goroutine at a time from its first instruction, and rand.Seed
// honoured. The GODEBUG settings already in env are kept.
func replayChildEnv(env []string) []string {
	return []string{"GOMAXPROCS=1", "GODEBUG=" + withRandSeed(lookupEnv(env, "GODEBUG")), ReplayEnv + "=1"}
}

// EnterReplay puts this process in replay mode for a test with seed: one
// goroutine at a time, and math/rand's global source seeded with seed. A
// child process started by Run already runs on one core; a test
// run with -inprocess gets there here.
func EnterReplay(seed int64) {
	runtime.GOMAXPROCS(1)
	if godebug := os.Getenv("GODEBUG"); !strings.Contains(godebug, "randseednop=0") {
		os.Setenv("GODEBUG", withRandSeed(godebug)) // the runtime rereads it
	}
	rand.Seed(seed) //nolint:staticcheck // deprecated for programs; exactly what replay needs
}

// withRandSeed adds randseednop=0 to a GODEBUG value.
func withRandSeed(godebug string) string {
	if godebug == "" {
		return "randseednop=0"
	}
	return godebug + ",randseednop=0"
}

// lookupEnv returns the last value of key in env, as os/exec would use it.
func lookupEnv(env []string, key string) string {
	v := ""
	for _, kv := range env {
		if k, val, ok := strings.Cut(kv, "="); ok && k == key {
			v = val
		}
	}
	return v
}
