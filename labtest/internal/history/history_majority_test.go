package history

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestHistoryHintsMajorityNotLed(t *testing.T) {
	h := New(0, time.Second)
	for term := 2; term <= 6; term++ {
		c := term % 2
		h.stood(c, term, ms(500*term))
		h.stood(2, term, ms(500*term+10)) // another candidate: it looks like a split vote
		vote(h, c, 1-c, term, true, ms(500*term+20))
	}
	got := h.Text()
	assert.Contains(t, got, "was granted votes in terms")
	assert.Contains(t, got, "a majority of the 3 servers with its own, yet did not become leader")
	assert.NotContains(t, got, "split votes", "the split votes follow from the uncounted majority")
}

func TestHistoryHintsUnelectedLeader(t *testing.T) {
	h := New(0, time.Second)
	vote(h, 2, 0, 1, true, ms(370))
	h.sent(2, 0, "AppendEntries", 1, ms(380))
	vote(h, 1, 0, 2, true, ms(850))
	h.sent(1, 0, "AppendEntries", 2, ms(860))
	h.sent(2, 0, "AppendEntries", 2, ms(2020)) // s2 took term 2 and kept leading
	got := h.Text()
	assert.Contains(t, got, "s2 led term 2 without standing for election in it (it sent no RequestVote of term 2), having led term 1")
	assert.Contains(t, got, "A leader that sees a later term steps down")

	h = New(0, time.Second)
	vote(h, 2, 0, 1, true, ms(370))
	h.sent(2, 0, "AppendEntries", 1, ms(380))
	vote(h, 2, 0, 3, true, ms(1370))
	h.sent(2, 0, "AppendEntries", 3, ms(1380))
	assert.NotContains(t, h.Text(), "without standing", "a leader elected again is no hint")
}

func TestHistoryHintsHeartbeatsStopped(t *testing.T) {
	// s0 leads terms 1 and 3, s1 term 2, each sending one round.
	stopped := New(0, time.Second)
	for k, leader := range []int{0, 1, 0, 1} {
		term, at := k+1, ms(400+500*k)
		vote(stopped, leader, 2, term, true, at)
		stopped.sent(leader, 2, "AppendEntries", term, at+ms(1))
	}
	assert.Contains(t, stopped.Text(), "s0 led terms 1, 3 for 1.00s in all, until others were elected, but sent no "+
		"server more than 2 AppendEntries in the whole test")

	// The same terms, with heartbeats every 100ms.
	beating := New(0, time.Second)
	for k, leader := range []int{0, 1, 0, 1} {
		term, at := k+1, ms(400+500*k)
		vote(beating, leader, 2, term, true, at)
		for b := range 5 {
			beating.sent(leader, 2, "AppendEntries", term, at+ms(1+100*b))
		}
	}
	assert.NotContains(t, beating.Text(), "AppendEntries in the whole test")
}

func TestHistoryHintsElectionsStalled(t *testing.T) {
	h := New(0, time.Second)
	vote(h, 0, 1, 3, false, ms(2440))
	h.Polled(0, 3, false, ms(4600))
	h.Polled(0, 3, false, ms(9050))
	assert.Contains(t, h.Text(), "s0 stood for election in term 3 at 2.44s and was still in that term, with no leader, at 9.05s")

	h = New(0, time.Second)
	vote(h, 0, 1, 3, false, ms(2440))
	h.Polled(0, 3, false, ms(3000))
	assert.NotContains(t, h.Text(), "was still in that term", "an election timeout has not passed twice")
}
