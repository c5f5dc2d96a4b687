package labtest

import (
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"raftlabs/labtest/internal/stacks"
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

func TestCheckRestoredTerm(t *testing.T) {
	shown := termEvidence{term: 7, asker: "s0", method: "AppendEntries", at: 4100 * time.Millisecond}
	assert.NoError(t, checkRestoredTerm(2, 7, shown, 5*time.Second))
	assert.NoError(t, checkRestoredTerm(2, 9, shown, 5*time.Second))
	err := checkRestoredTerm(2, 5, shown, 5*time.Second)
	require.Error(t, err)
	assert.Equal(t, "s2 restarted in term 5, but before it crashed at 5.00s it had answered s0's AppendEntries "+
		"in term 7 (at 4.10s): its term went back across the crash. currentTerm must be persisted before the "+
		"server answers any RPC (Figure 2, persistent state: \"updated on stable storage before responding to "+
		"RPCs\"), and Make must restore it with readPersist from the persister it is given", err.Error())
}

func TestCheckOneVote(t *testing.T) {
	first := voteGiven{candidate: 0, at: 2100 * time.Millisecond}
	assert.NoError(t, checkOneVote(1, 5, first, voteGiven{candidate: 0, at: 3 * time.Second}, nil))

	second := voteGiven{candidate: 3, at: 3400 * time.Millisecond}
	err := checkOneVote(1, 5, first, second, []time.Duration{2500 * time.Millisecond})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "one vote per term: s1 granted its vote in term 5 to s0 at 2.10s and, after "+
		"crashing at 2.50s and restarting, to s3 at 3.40s: it forgot its vote across the crash")

	err = checkOneVote(1, 5, second, first, []time.Duration{time.Second})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "one vote per term: s1 granted its vote in term 5 to s0 at 2.10s and to s3 at "+
		"3.40s, with no crash between")
}

// A second vote in a term is explained by the voter's term going back only
// when its replies or requests prove it did.
func TestTermWentBack(t *testing.T) {
	first := voteGiven{candidate: 0, at: ms(2000), asked: ms(1950)}
	r := newRevealed()
	back := func(asked time.Duration) string {
		second := voteGiven{candidate: 3, at: ms(2600), asked: asked}
		return r.termWentBackLocked(1, 5, first.at, first.granted(5), asked, second.asking(5))
	}
	r.record(1, termEvidence{term: 4, asker: "s2", method: "RequestVote", at: ms(1900)}, ms(1800))
	r.record(1, termEvidence{term: 5, asker: "s2", method: "AppendEntries", at: ms(2300)}, ms(2200))
	assert.Empty(t, back(ms(2500)),
		"an earlier term answered before the first vote, and the same term after it, show nothing")

	r.record(1, termEvidence{term: 6, asker: "s4", method: "RequestVote", at: ms(2400)}, ms(2350))
	assert.Equal(t, "how it happened: s1 had answered s4's RequestVote in term 6 at 2.40s, before s3 asked for its "+
		"vote in term 5 at 2.50s: its currentTerm went back from 6 to 5 without a crash. currentTerm only increases "+
		"(Figure 2), and a server refuses a RequestVote of a term earlier than its own (RequestVote receiver rule 1: "+
		"\"Reply false if term < currentTerm\")", back(ms(2500)))
	assert.Empty(t, back(ms(2400)), "a later term shown only after the request was sent")

	r.record(1, termEvidence{term: 4, asker: "s2", method: "RequestVote", at: ms(2450)}, ms(2420))
	assert.Contains(t, back(ms(2500)), "how it happened: s1 granted its vote in "+
		"term 5 to s0 by 2.00s, then answered s2's RequestVote, sent at 2.42s, in term 4: its currentTerm went back "+
		"from 5 to 4 without a crash, and back in term 5 it voted again.")

	r.crashed(1, ms(2100), 5)
	assert.Empty(t, back(ms(2500)), "a crash between explains it otherwise")
}

// Any two of a server's replies can show its term went back: a reply in a
// lower term to a request sent after a reply in a higher term arrived.
func TestWentBack(t *testing.T) {
	r := newRevealed()
	r.record(2, termEvidence{term: 5, asker: "s1", method: "RequestVote", at: ms(2990)}, ms(2970))
	r.record(2, termEvidence{term: 4, asker: "s4", method: "RequestVote", at: ms(2996)}, ms(2988))
	assert.Empty(t, r.wentBackLocked(2, 4), "the two requests overlap: their handlers' order is unknown")
	r.record(2, termEvidence{term: 4, asker: "s4", method: "AppendEntries", at: ms(3020)}, ms(3010))
	assert.Equal(t, "how it happened: s2 answered s1's RequestVote in term 5 by 2.99s, then answered s4's "+
		"AppendEntries, asked at 3.01s, in term 4: its currentTerm went back from 5 to 4 without a crash, and so it "+
		"could vote in term 4 again. currentTerm only increases (Figure 2), and a server refuses a RequestVote of a "+
		"term earlier than its own (RequestVote receiver rule 1: \"Reply false if term < currentTerm\")",
		r.wentBackLocked(2, 4))
	assert.Empty(t, r.wentBackLocked(2, 6), "no decrease across term 6")
	r.crashed(2, ms(3000), 5)
	assert.Empty(t, r.wentBackLocked(2, 4), "a crash between")
}

// Two leaders of a term are explained by a server that stood in the term
// and voted for another candidate in it.
func TestTwoLeadersExplained(t *testing.T) {
	r := newRevealed()
	assert.Empty(t, r.twoLeaders(5))
	r.votes[voteKey{voter: 2, term: 5}] = voteGiven{candidate: 4, at: ms(2400), asked: ms(2300)}
	assert.Empty(t, r.twoLeaders(5), "a vote alone is one vote")
	r.stood[voteKey{voter: 2, term: 5}] = ms(2970)
	r.polled(2, 4, ms(2800))
	assert.Equal(t, "how two won: s2 granted its vote in term 5 to s4 by 2.40s, then stood for election in term 5 "+
		"itself at 2.97s, with no crash between: a server votes at most once in a term (§5.2), and a candidate votes "+
		"for itself (Figure 2, Candidates: \"vote for self\")\nhow it happened: s2 granted its vote in term 5 to s4 by "+
		"2.40s, then reported term 4 to GetState at 2.80s: its currentTerm went back from 5 to 4 without a crash, and "+
		"back in term 5 it voted again. currentTerm only increases (Figure 2), and a server refuses a RequestVote of "+
		"a term earlier than its own (RequestVote receiver rule 1: \"Reply false if term < currentTerm\")", r.twoLeaders(5))
	assert.Empty(t, r.twoLeaders(6))
}

func TestCheckAcknowledged(t *testing.T) {
	logs := []map[int]any{{1: 10, 2: 20}, {1: 10, 2: 20}, {1: 10, 2: 99}}
	applied := func(i, index int) (any, bool) { v, ok := logs[i][index]; return v, ok }
	acks := []ack{{client: 0, command: 10, index: 1, at: time.Second}}
	assert.NoError(t, checkAcknowledged(acks, 3, applied))

	acks = append(acks, ack{client: 2, command: 20, index: 2, at: 1500 * time.Millisecond})
	err := checkAcknowledged(acks, 3, applied)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "a committed command was lost: client 2 saw 20 applied at index 2 at 1.50s, "+
		"but at the end [s2] had applied 99 there")
}

func TestCheckEntriesKept(t *testing.T) {
	assert.NoError(t, checkEntriesKept(1, 13, 3, probeReply{Term: 13, OK: true}, true))
	assert.ErrorContains(t, checkEntriesKept(1, 13, 3, probeReply{}, false), "gave no reply")
	err := checkEntriesKept(1, 13, 3, probeReply{Term: 13}, true)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "s1 answered Success to an AppendEntries of term 13 that gave it entries 1 to 3, "+
		"then crashed; restarted, it refused an AppendEntries whose PrevLogIndex 3 and PrevLogTerm 13 name the last of them")
}

func TestLateCalls(t *testing.T) {
	gs := []stacks.Goroutine{
		{ID: 1, Stack: "goroutine 1 [sleep]:\nraftlabs/labrpc.(*Network).call(...)\nraftlabs/labrpc.(*ClientEnd).Call(...)"},
		{ID: 2, Stack: "goroutine 2 [sync.Cond.Wait]:\nsync.(*Cond).Wait(...)\nraftlabs/solutions.(*Raft).applier(...)"},
	}
	calling, others := lateCalls(gs)
	require.Len(t, calling, 1)
	require.Len(t, others, 1)
	assert.Equal(t, 1, calling[0].ID)
	assert.Equal(t, 2, others[0].ID)
}
