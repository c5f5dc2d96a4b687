package labtest_test

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"raftlabs/labtest"
	"raftlabs/labtest/testdata/broken"
)

// A verdictCase is a Raft with one classic flaw and what its verdict must
// say: the true cause, in Raft's words, and never the misleading cause
// earlier versions of the harness gave (avoid).
type verdictCase struct {
	scenario labtest.Scenario
	flaws    broken.Flaws
	want     []string
	match    string // a regular expression the verdict matches, if set
	avoid    []string
	env      []string // more of the child's environment, if set
}

var verdictCases = map[string]verdictCase{
	// Issue item 1: it stepped down, then stood again at once and won.
	"stale deadline after stepping down": {
		scenario: labtest.StepDown,
		flaws:    broken.Flaws{StaleDeadline: true},
		want: []string{"after it learned that its term", "as leader was over, and won", "unseating",
			"must start a fresh election timeout", "leadership history", "led from"},
		avoid: []string{"still believes it leads"},
	},
	// Issue 21 item 10: the old leader's fresh timer ran out because the
	// leader sent it nothing after its return; the leader is named.
	"leader silent to a rejoined server": {
		scenario: labtest.StepDown,
		flaws:    broken.Flaws{HeartbeatVotersOnly: true},
		want: []string{"no AppendEntries of term", "so its election timer ran out, as it should",
			"A leader must keep sending AppendEntries to every server"},
		avoid: []string{"must start a fresh election timeout"},
	},
	// Issue 21 item 7: the election timer's verdict says what the history
	// shows, the elections seen and the server's own pace, and waits long
	// enough for any timeout MIT accepts.
	"refused vote resets the timer": {
		scenario: labtest.ElectionTimer,
		flaws:    broken.Flaws{RefusedVoteResetsTimer: true},
		want: []string{"cut off from the others, stood for no election in the 10.50s from",
			"when it was first cut off, with no one talking to it, it stood within",
			"Its election timer should have run out twice in that time (a refused RequestVote must not reset the election timer"},
	},
	// Issue item 2: a retry storm is told as one, with counts and the rule.
	"retry storm on a higher term": {
		scenario: labtest.ReElection,
		flaws:    broken.Flaws{StormOnHigherTerm: true},
		want: []string{"retry storm", "AppendEntries to s", "each refused",
			"a reply with a higher term means the sender's term is over", "step down to follower"},
		// The storm stops the clock, or lets it creep by the network's
		// tiny delays (then the watchdog sees it crawl; watchdog_test.go).
		match: `virtual time (stopped at \d+\.\d+s|crawled: in \d+\.\ds of real time the test's clock moved only from)`,
		avoid: []string{"no goroutine of the test is running", "a loop that does not sleep", "may be holding the lock"},
	},
	// Issue item 3: a voter that refuses every candidate of a new term is
	// named from the history (split votes: see history_test.go).
	"votedFor kept in a new term": {
		scenario: labtest.ElectionSpeed,
		flaws:    broken.Flaws{KeepVotedFor: true},
		want:     []string{"no new leader 5s after leader", "votedFor was not reset when the term changed", "refused by"},
		avoid:    []string{"must be randomized"},
	},
	// Issue item 5: a Start that blocks is named, with how late it was.
	"Start that blocks": {
		scenario: labtest.BasicAgree,
		flaws:    broken.Flaws{BlockingStart: true},
		want:     []string{"took 0.30s to return", "Start must return at once"},
		avoid:    []string{"election safety"},
	},
	// A wait outside the bubble (a system call) stops the clock with
	// nothing able to run and little CPU burned: the last-resort verdict,
	// after -stall of real time (3s here), names the waiting goroutine.
	"wait outside the test": {
		scenario: labtest.InitialElection,
		flaws:    broken.Flaws{WaitsOutside: true},
		env:      []string{"RAFTLABS_STALL=3s"},
		want: []string{"virtual time stopped at 0.00s: for 3.", "s of real time some goroutine of the test never blocked in a way that lets the clock advance",
			"(IO wait) stops virtual time: it is blocked on something outside the test's virtual clock", "broken.(*Flawed).ticker"},
	},
	// Issue item 9: the sleeper of the waiter's own server comes first.
	"sleep holding the lock": {
		scenario: labtest.InitialElection,
		flaws:    broken.Flaws{SleepWithLock: true},
		want:     []string{"virtual time stopped", "the likeliest holder: it belongs to the server whose lock is waited for, and it sleeps"},
	},
}

// TestVerdictRaft runs one flawed Raft, named by RAFTLABS_VERDICT, in a
// child process started by TestVerdicts.
func TestVerdictRaft(t *testing.T) {
	name := os.Getenv("RAFTLABS_VERDICT")
	if name == "" {
		t.Skip("run by TestVerdicts in a child process")
	}
	vc := verdictCases[name]
	labtest.Run(t, vc.scenario, broken.MakeFlawed(vc.flaws))
}

// TestVerdicts checks that each flawed Raft fails with a verdict that names
// its true cause.
func TestVerdicts(t *testing.T) {
	for name, vc := range verdictCases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(os.Args[0], "-test.run", "^TestVerdictRaft$", "-test.v")
			cmd.Env = append(append(os.Environ(), "RAFTLABS_VERDICT="+name), vc.env...)
			out, err := cmd.CombinedOutput()
			output := string(out)
			require.Error(t, err, "the flawed Raft's test must fail:\n%s", output)
			for _, want := range vc.want {
				assert.Contains(t, output, want)
			}
			if vc.match != "" {
				assert.Regexp(t, vc.match, output)
			}
			for _, avoid := range vc.avoid {
				assert.NotContains(t, output, avoid)
			}
			if name == "sleep holding the lock" {
				checkLockReportOrder(t, output)
			}
		})
	}
}

// checkLockReportOrder checks that the first goroutine named as maybe
// holding a lock belongs to a server whose lock a goroutine waits for.
func checkLockReportOrder(t *testing.T, output string) {
	t.Helper()
	waiting := map[string]bool{}
	for _, m := range regexp.MustCompile(`goroutine \d+ of (s\d) \(sync\.Mutex\.Lock\)`).FindAllStringSubmatch(output, -1) {
		waiting[m[1]] = true
	}
	require.NotEmpty(t, waiting, "a goroutine waiting for a server's mutex is named with its server:\n%s", output)
	first := regexp.MustCompile(`goroutine \d+( of (s\d))? \([^)]*\)( and \d+ more with the same stack)? may be holding the lock`).FindStringSubmatch(output)
	require.NotNil(t, first, "suspected holders are listed:\n%s", output)
	assert.True(t, waiting[first[2]], "the first suspect (%s) must belong to a server whose lock is waited for (%v)",
		first[0], waiting)
}

// TestLowerCaseFirst and TestLowerCaseSecond are two tests of one plain
// `go test` run of a Raft whose RPC has a lower-case field, started by
// TestLowerCaseFieldNamedInEveryTest.
func TestLowerCaseFirst(t *testing.T)  { runLowerCase(t) }
func TestLowerCaseSecond(t *testing.T) { runLowerCase(t) }

func runLowerCase(t *testing.T) {
	if os.Getenv("RAFTLABS_LOWERCASE") == "" {
		t.Skip("run by TestLowerCaseFieldNamedInEveryTest in a child process")
	}
	labtest.Run(t, labtest.InitialElection, broken.MakeLowerCaseFields)
}

// TestLowerCaseFieldNamedInEveryTest checks that every test a lower-case
// RPC field breaks names the field, not only the first of the process.
func TestLowerCaseFieldNamedInEveryTest(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run", "^TestLowerCase(First|Second)$", "-test.v")
	cmd.Env = append(os.Environ(), "RAFTLABS_LOWERCASE=1")
	out, err := cmd.CombinedOutput()
	output := string(out)
	require.Error(t, err, "both tests must fail:\n%s", output)
	for _, test := range []string{"TestLowerCaseFirst", "TestLowerCaseSecond"} {
		assert.Contains(t, output, "--- FAIL: "+test)
		start := strings.Index(output, "=== RUN   "+test)
		end := strings.Index(output, "--- FAIL: "+test)
		if start >= 0 && end > start {
			assert.Contains(t, output[start:end], "broken.LowerArgs.term starts with a lower-case letter",
				"%s must name the field", test)
		}
	}
}
