package labtest_test

import (
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"raftlabs/labgob"
	"raftlabs/labtest"
	"raftlabs/labtest/testdata/broken"
)

// brokenCase is one deliberately broken Raft and the verdict the harness
// must give it.
type brokenCase struct {
	run  func(t *testing.T)
	want []string // what the failure must say; nil means the test must pass
	// headline, if set, is what the verdict's first line (the line after
	// FAILED, all a one-line summary keeps) must say: the cause.
	headline string
	passes   []string // what a passing test's output must say (its warnings)
}

var brokenCases = map[string]brokenCase{
	"busy loop": {
		run:  func(t *testing.T) { labtest.Run(t, labtest.InitialElection, broken.MakeBusyLoop) },
		want: []string{"virtual time stopped", "it never blocks: a loop that does not sleep"},
	},
	"lock held across Call": {
		run:  func(t *testing.T) { labtest.Run(t, labtest.InitialElection, broken.MakeLockAcrossCall) },
		want: []string{"virtual time stopped", "it waits for a mutex", "never hold rf.mu across time.Sleep, Call or a channel send"},
	},
	"lock held across Sleep": {
		run:  func(t *testing.T) { labtest.Run(t, labtest.InitialElection, broken.MakeLockAcrossSleep) },
		want: []string{"virtual time stopped", "it waits for a mutex", "may be holding the lock", "time.Sleep("},
	},
	"goroutine left running after Kill": {
		run:  func(t *testing.T) { labtest.Run(t, labtest.InitialElection, broken.MakeLeakAfterKill) },
		want: []string{"goroutine leak: 3 goroutines still running 10s after every server was killed", "broken.MakeLeakAfterKill"},
	},
	"panic in a handler": {
		run:  func(t *testing.T) { labtest.Run(t, labtest.InitialElection, broken.MakePanicInHandler) },
		want: []string{"PanicInHandler.Ping", "index out of range"},
	},
	"Make never returns": {
		run:  func(t *testing.T) { labtest.Run(t, labtest.InitialElection, broken.MakeNeverReturns) },
		want: []string{"s0: Make did not return within 5s"},
	},
	"Make that spins": {
		run:  func(t *testing.T) { labtest.Run(t, labtest.InitialElection, broken.MakeSpinningMake) },
		want: []string{"s0: Make did not return", "return at once"},
	},
	"applyCh send under rf.mu": {
		run: func(t *testing.T) { labtest.Run(t, labtest.InitialElection, broken.MakeApplyUnderLock) },
		want: []string{"sent on applyCh while holding its lock", "Never send on applyCh while holding rf.mu",
			"broken.MakeApplyUnderLock.func1"},
		headline: "sent on applyCh while holding its lock, so virtual time stopped at",
	},
	"lower-case RPC field": {
		run:  func(t *testing.T) { labtest.Run(t, labtest.InitialElection, broken.MakeLowerCaseFields) },
		want: []string{"labgob: broken.LowerArgs.term starts with a lower-case letter"},
	},
	"lower-case RPC field met before the test": {
		// As a student's init that registers or encodes its RPC types
		// would: the field is still charged to the test that sends it.
		run: func(t *testing.T) {
			_ = labgob.NewEncoder(io.Discard).Encode(broken.LowerArgs{})
			labtest.Run(t, labtest.InitialElection, broken.MakeLowerCaseFields)
		},
		want: []string{": labgob: broken.LowerArgs.term starts with a lower-case letter"},
	},
	"reply reused across Calls": {
		run: func(t *testing.T) { labtest.Run(t, labtest.InitialElection, broken.MakeReusedReply) },
		passes: []string{"  warning: labgob: decoding into a broken.BeatReply that is not zero (Term = ",
			") in Election.broadcastHeartbeats: gob does not send zero fields, so a field the sender left zero keeps its old value here",
			"(This costs no points.)"},
	},
	"applyCh send after Kill": {
		run:  func(t *testing.T) { labtest.Run(t, labtest.InitialElection, broken.MakeApplyAfterKill) },
		want: []string{"after it was killed", "check killed() before each send"},
	},
	"random numbers seeded from time.Now": {
		run: func(t *testing.T) { labtest.Run(t, labtest.InitialElection, broken.MakeElection) },
	},
}

// TestBrokenRaft runs one broken Raft, named by RAFTLABS_BROKEN, in a child
// process started by TestContainment.
func TestBrokenRaft(t *testing.T) {
	name := os.Getenv("RAFTLABS_BROKEN")
	if name == "" {
		t.Skip("run by TestContainment in a child process")
	}
	brokenCases[name].run(t)
}

// TestAfterBrokenRaft runs right after TestBrokenRaft in the same child
// process, and must pass whatever the broken Raft left behind.
func TestAfterBrokenRaft(t *testing.T) {
	if os.Getenv("RAFTLABS_BROKEN") == "" {
		t.Skip("run by TestContainment in a child process")
	}
	labtest.Run(t, labtest.ReElection, broken.MakeElection)
}

// TestContainment checks that each broken Raft gets its verdict, in words,
// within 30 seconds of real time, and that the next test in the same
// binary still runs and passes.
func TestContainment(t *testing.T) {
	for name, bc := range brokenCases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			cmd := exec.Command(os.Args[0], "-test.run", "^(TestBrokenRaft|TestAfterBrokenRaft)$", "-test.v")
			cmd.Env = append(os.Environ(), "RAFTLABS_BROKEN="+name)
			out, err := cmd.CombinedOutput()
			took := time.Since(start)
			output := string(out)

			if bc.want == nil {
				assert.NoError(t, err, "this Raft works and its test must pass:\n%s", output)
				for _, words := range bc.passes {
					assert.Contains(t, output, words)
				}
			} else {
				assert.Error(t, err, "the broken Raft's test must fail:\n%s", output)
				assert.Contains(t, output, "--- FAIL: TestBrokenRaft")
				assert.Contains(t, output, "rerun: ")
			}
			for _, want := range bc.want {
				assert.Contains(t, output, want)
			}
			if bc.headline != "" {
				assert.Contains(t, verdictHeadline(output), bc.headline, "the verdict's first line must name the cause:\n%s", output)
			}
			assert.Contains(t, output, "--- PASS: TestAfterBrokenRaft", "the next test must still run and pass:\n%s", output)
			assert.Less(t, took, 30*time.Second, "the verdict took too long")
		})
	}
}

// verdictHeadline returns the line after the first FAILED line of a test's
// output: the verdict's headline.
func verdictHeadline(output string) string {
	lines := strings.Split(output, "\n")
	for i, line := range lines {
		if strings.Contains(line, "FAILED") && i+1 < len(lines) {
			return lines[i+1]
		}
	}
	return ""
}
