package revealed

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckRestoredTerm(t *testing.T) {
	r := New()
	r.record(2, termEvidence{term: 7, asker: "s0", method: "AppendEntries", at: 4100 * time.Millisecond}, 0)
	r.Crashed(2, 5*time.Second, 7)
	assert.NoError(t, r.CheckRestoredTerm(2, 7))
	assert.NoError(t, r.CheckRestoredTerm(2, 9))
	err := r.CheckRestoredTerm(2, 5)
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
	first := voteGiven{candidate: 0, at: 2000 * time.Millisecond, asked: 1950 * time.Millisecond}
	r := New()
	back := func(asked time.Duration) string {
		second := voteGiven{candidate: 3, at: 2600 * time.Millisecond, asked: asked}
		return r.termWentBackLocked(1, 5, first.at, first.granted(5), asked, second.asking(5))
	}
	r.record(1, termEvidence{term: 4, asker: "s2", method: "RequestVote", at: 1900 * time.Millisecond}, 1800*time.Millisecond)
	r.record(1, termEvidence{term: 5, asker: "s2", method: "AppendEntries", at: 2300 * time.Millisecond}, 2200*time.Millisecond)
	assert.Empty(t, back(2500*time.Millisecond),
		"an earlier term answered before the first vote, and the same term after it, show nothing")

	r.record(1, termEvidence{term: 6, asker: "s4", method: "RequestVote", at: 2400 * time.Millisecond}, 2350*time.Millisecond)
	assert.Equal(t, "how it happened: s1 had answered s4's RequestVote in term 6 at 2.40s, before s3 asked for its "+
		"vote in term 5 at 2.50s: its currentTerm went back from 6 to 5 without a crash. currentTerm only increases "+
		"(Figure 2), and a server refuses a RequestVote of a term earlier than its own (RequestVote receiver rule 1: "+
		"\"Reply false if term < currentTerm\")", back(2500*time.Millisecond))
	assert.Empty(t, back(2400*time.Millisecond), "a later term shown only after the request was sent")

	r.record(1, termEvidence{term: 4, asker: "s2", method: "RequestVote", at: 2450 * time.Millisecond}, 2420*time.Millisecond)
	assert.Contains(t, back(2500*time.Millisecond), "how it happened: s1 granted its vote in "+
		"term 5 to s0 by 2.00s, then answered s2's RequestVote, sent at 2.42s, in term 4: its currentTerm went back "+
		"from 5 to 4 without a crash, and back in term 5 it voted again.")

	r.Crashed(1, 2100*time.Millisecond, 5)
	assert.Empty(t, back(2500*time.Millisecond), "a crash between explains it otherwise")
}

// Any two of a server's replies can show its term went back: a reply in a
// lower term to a request sent after a reply in a higher term arrived.
func TestWentBack(t *testing.T) {
	r := New()
	r.record(2, termEvidence{term: 5, asker: "s1", method: "RequestVote", at: 2990 * time.Millisecond}, 2970*time.Millisecond)
	r.record(2, termEvidence{term: 4, asker: "s4", method: "RequestVote", at: 2996 * time.Millisecond}, 2988*time.Millisecond)
	assert.Empty(t, r.wentBackLocked(2, 4), "the two requests overlap: their handlers' order is unknown")
	r.record(2, termEvidence{term: 4, asker: "s4", method: "AppendEntries", at: 3020 * time.Millisecond}, 3010*time.Millisecond)
	assert.Equal(t, "how it happened: s2 answered s1's RequestVote in term 5 by 2.99s, then answered s4's "+
		"AppendEntries, asked at 3.01s, in term 4: its currentTerm went back from 5 to 4 without a crash, and so it "+
		"could vote in term 4 again. currentTerm only increases (Figure 2), and a server refuses a RequestVote of a "+
		"term earlier than its own (RequestVote receiver rule 1: \"Reply false if term < currentTerm\")",
		r.wentBackLocked(2, 4))
	assert.Empty(t, r.wentBackLocked(2, 6), "no decrease across term 6")
	r.Crashed(2, 3000*time.Millisecond, 5)
	assert.Empty(t, r.wentBackLocked(2, 4), "a crash between")
}

// Two leaders of a term are explained by a server that stood in the term
// and voted for another candidate in it.
func TestTwoLeadersExplained(t *testing.T) {
	r := New()
	assert.Empty(t, r.TwoLeaders(5))
	r.votes[voteKey{voter: 2, term: 5}] = voteGiven{candidate: 4, at: 2400 * time.Millisecond, asked: 2300 * time.Millisecond}
	assert.Empty(t, r.TwoLeaders(5), "a vote alone is one vote")
	r.stood[voteKey{voter: 2, term: 5}] = 2970 * time.Millisecond
	r.Polled(2, 4, 2800*time.Millisecond)
	assert.Equal(t, "how two won: s2 granted its vote in term 5 to s4 by 2.40s, then stood for election in term 5 "+
		"itself at 2.97s, with no crash between: a server votes at most once in a term (§5.2), and a candidate votes "+
		"for itself (Figure 2, Candidates: \"vote for self\")\nhow it happened: s2 granted its vote in term 5 to s4 by "+
		"2.40s, then reported term 4 to GetState at 2.80s: its currentTerm went back from 5 to 4 without a crash, and "+
		"back in term 5 it voted again. currentTerm only increases (Figure 2), and a server refuses a RequestVote of "+
		"a term earlier than its own (RequestVote receiver rule 1: \"Reply false if term < currentTerm\")", r.TwoLeaders(5))
	assert.Empty(t, r.TwoLeaders(6))
}

// A vote is blamed only if its candidate's log was less up to date than an
// entry its voter had applied before the candidate asked.
func TestUpToDateExplained(t *testing.T) {
	r := New()
	// s1 applied index 6, an entry of term 1, at 1.96s.
	applied := func(voter int, before time.Duration) (index, term int, command any, at time.Duration, ok bool) {
		if voter != 1 || before <= 1960*time.Millisecond {
			return 0, 0, nil, 0, false
		}
		return 6, 1, 106, 1960 * time.Millisecond, true
	}
	vote := func(lastIndex, lastTerm int, asked time.Duration) {
		r.grants = []grant{{voter: 1, candidate: 2, term: 4, lastIndex: lastIndex, lastTerm: lastTerm, asked: asked}}
	}
	assert.Empty(t, r.UpToDateHow(applied), "no votes")
	vote(1, 1, 1900*time.Millisecond)
	assert.Empty(t, r.UpToDateHow(applied), "asked before the voter applied the entry")
	vote(6, 1, 2080*time.Millisecond)
	assert.Empty(t, r.UpToDateHow(applied), "as up to date")
	vote(2, 2, 2080*time.Millisecond)
	assert.Empty(t, r.UpToDateHow(applied), "a later last term")
	vote(1, 1, 2080*time.Millisecond)
	assert.Equal(t, "how it happened: s1 granted its vote in term 4 to s2, whose RequestVote (sent at 2.08s) had "+
		"lastLogIndex 1 and lastLogTerm 1, though s1 had applied index 6 (106, an entry of term 1) at 1.96s: its "+
		"log was more up to date than the candidate's. A voter refuses such a candidate (RequestVote receiver rule "+
		"2: grant only if the \"candidate's log is at least as up-to-date as receiver's log\"; §5.4.1)", r.UpToDateHow(applied))
}
