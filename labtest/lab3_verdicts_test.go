package labtest

import (
	"os"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"raftlabs/labtest/testdata/broken"
)

// Lab 3's verdicts, pinned: each scenario run against a Raft that forgets
// one persistent field must name that field and the rule; and the pure
// checks behind them, on their own.

// lab3Verdicts are the Rafts that forget, and what their verdicts say.
var lab3Verdicts = map[string]struct {
	scenario Scenario
	forget   broken.Forget
	want     []string
}{
	"term": {PersistedTerm, broken.Forget{Term: true},
		[]string{"restarted in term 0, but before it crashed at", "its term went back across the crash",
			"currentTerm must be persisted before the server answers any RPC"}},
	"vote": {PersistedVote, broken.Forget{Vote: true},
		[]string{"one vote per term: s", "after crashing at", "it forgot its vote across the crash",
			"votedFor must be persisted before the server answers RequestVote"}},
	"log": {PersistedLog, broken.Forget{Log: true},
		[]string{"answered Success to an AppendEntries of term", "that gave it entries 1 to 3, then crashed",
			"lost entries it had acknowledged", "The log must be persisted before the server answers Success"}},
}

// TestLab3VerdictRaft runs one forgetful Raft, named by
// RAFTLABS_LAB3_VERDICT, in a child process started by TestLab3Verdicts.
func TestLab3VerdictRaft(t *testing.T) {
	name := os.Getenv("RAFTLABS_LAB3_VERDICT")
	if name == "" {
		t.Skip("run by TestLab3Verdicts in a child process")
	}
	v := lab3Verdicts[name]
	Run(t, v.scenario, broken.MakeAmnesiac(v.forget))
}

func TestLab3Verdicts(t *testing.T) {
	for name, v := range lab3Verdicts {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(os.Args[0], "-test.run", "^TestLab3VerdictRaft$", "-test.v")
			cmd.Env = append(os.Environ(), "RAFTLABS_LAB3_VERDICT="+name)
			out, err := cmd.CombinedOutput()
			require.Error(t, err, "the forgetful Raft must fail:\n%s", out)
			for _, want := range v.want {
				assert.Contains(t, string(out), want)
			}
		})
	}
}

func TestCheckEntriesKept(t *testing.T) {
	assert.NoError(t, checkEntriesKept(1, 13, 3, probeReply{Term: 13, OK: true}, true))
	assert.ErrorContains(t, checkEntriesKept(1, 13, 3, probeReply{}, false), "gave no reply")
	err := checkEntriesKept(1, 13, 3, probeReply{Term: 13}, true)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "s1 answered Success to an AppendEntries of term 13 that gave it entries 1 to 3, "+
		"then crashed; restarted, it refused an AppendEntries whose PrevLogIndex 3 and PrevLogTerm 13 name the last of them")
}
