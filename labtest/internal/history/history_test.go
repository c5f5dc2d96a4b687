package history

import (
	"bytes"
	"encoding/gob"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ms is a time on the test's clock.
func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

// vote records one RequestVote from cand to voter in term, and its answer.
func vote(h *History, cand, voter, term int, granted bool, at time.Duration) {
	h.sent(cand, voter, "RequestVote", term, at)
	h.delivered(cand, voter, "RequestVote", term, Fields{Term: term, VoteGranted: granted}, at)
}

func TestHistoryNamesLeadersAndVotes(t *testing.T) {
	h := New(0, time.Second)
	vote(h, 0, 1, 1, true, ms(310))
	vote(h, 0, 2, 1, true, ms(310))
	h.sent(0, 1, "AppendEntries", 1, ms(320))
	got := h.Text()
	assert.Contains(t, got, "term 1: s0 stood at 0.31s, votes from [s1 s2]; s0 led from 0.32s")
	assert.NotContains(t, got, "hint:")
}

func TestHistoryHintsAStandAtOnceAfterSteppingDown(t *testing.T) {
	h := New(0, time.Second)
	vote(h, 0, 1, 1, true, ms(300))
	h.sent(0, 1, "AppendEntries", 1, ms(310))
	// s0 learns of term 2 from a heartbeat's reply, and stands at once.
	h.sent(0, 1, "AppendEntries", 1, ms(1400))
	h.delivered(0, 1, "AppendEntries", 1, Fields{Term: 2}, ms(1400))
	vote(h, 0, 1, 3, true, ms(1400))
	got := h.Text()
	assert.Contains(t, got, "s0 led from 0.31s until it learned of term 2 at 1.40s")
	assert.Contains(t, got, "term 3: s0 stood at 1.40s (0.00s after it stopped leading term 1)")
	assert.Contains(t, got, "hint: s0 stood for election in term 3 0.00s after it learned that its term 1 as leader was over")
}

func TestHistoryHintsSplitVotes(t *testing.T) {
	h := New(0, time.Second)
	for term := 1; term <= 5; term++ {
		at := ms(400 * term)
		for cand := range 3 {
			for voter := range 3 {
				if voter != cand {
					vote(h, cand, voter, term, false, at)
				}
			}
		}
	}
	got := h.Text()
	assert.Contains(t, got, "hint: split votes: in 5 of the latest 5 terms (1-5)")
	assert.Contains(t, got, "election timeouts must be randomized")
	assert.NotContains(t, got, "votedFor", "servers that stood themselves refuse for that reason")
}

func TestHistoryHintsVotedForNotReset(t *testing.T) {
	h := New(0, time.Second)
	for term := 2; term <= 6; term++ {
		vote(h, term%2, 1-term%2, term, false, ms(500*term))
	}
	got := h.Text()
	assert.Contains(t, got, "votedFor was not reset when the term changed")
	assert.NotContains(t, got, "split votes")
}

func TestHistorySafetyFromAppendEntries(t *testing.T) {
	h := New(0, time.Second)
	h.sent(0, 1, "AppendEntries", 4, ms(2310))
	h.sent(2, 1, "AppendEntries", 4, ms(2350))
	assert.Equal(t, "election safety: term 4 has 2 leaders [s0 s2]: s0 sent AppendEntries as leader of term 4 "+
		"from 2.31s, and s2 from 2.35s (only a leader sends AppendEntries)", h.SafetyProblem())
}

func TestHistoryStorms(t *testing.T) {
	h := New(0, time.Second)
	for range 152_311 {
		h.sent(0, 1, "AppendEntries", 3, ms(3420))
		h.delivered(0, 1, "AppendEntries", 3, Fields{Term: 4}, ms(3420))
	}
	h.sent(0, 2, "AppendEntries", 3, ms(3420)) // a few calls are no storm
	got := h.Storms()
	assert.Contains(t, got, "s0 sent 152,311 AppendEntries to s1 at 3.42s on the test's clock, without the clock moving, "+
		"each refused (request term 3, reply term 4): a reply with a higher term means the sender's term is over")
	assert.NotContains(t, got, "to s2")
}

func TestHistoryTextIsBounded(t *testing.T) {
	h := New(0, time.Second)
	for term := 1; term <= 500; term++ {
		vote(h, term%3, (term+1)%3, term, false, ms(term))
	}
	got := h.Text()
	assert.Contains(t, got, "terms 1-488 not shown: 488 terms, 0 of them with a leader")
	assert.Less(t, len(got), 4000)
}

func TestEndNames(t *testing.T) {
	i, ok := EndSender("s2->s0#1")
	assert.True(t, ok)
	assert.Equal(t, 2, i)
	_, ok = EndSender("harness->s0#7")
	assert.False(t, ok, "the harness's own messages are not a server's")
}

func TestHistoryReadsUnsignedTerms(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, gob.NewEncoder(&buf).Encode(struct {
		Term        uint64
		VoteGranted bool
	}{7, true}))
	f, ok := decodeRPCFields(buf.Bytes())
	require.True(t, ok)
	assert.Equal(t, 7, f.Term)
	assert.True(t, f.GrantedVote())
}
