package labtest

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestHistoryHintsMajorityNotLed(t *testing.T) {
	h := newHistory()
	for term := 2; term <= 6; term++ {
		c := term % 2
		h.stood(c, term, ms(500*term))
		h.stood(2, term, ms(500*term+10)) // another candidate: it looks like a split vote
		vote(h, c, 1-c, term, true, ms(500*term+20))
	}
	got := h.text()
	assert.Contains(t, got, "was granted votes in terms")
	assert.Contains(t, got, "a majority of the 3 servers with its own, yet did not become leader")
	assert.NotContains(t, got, "split votes", "the split votes follow from the uncounted majority")
}

func TestHistoryHintsUnelectedLeader(t *testing.T) {
	h := newHistory()
	vote(h, 2, 0, 1, true, ms(370))
	h.sent(2, 0, "AppendEntries", 1, ms(380))
	vote(h, 1, 0, 2, true, ms(850))
	h.sent(1, 0, "AppendEntries", 2, ms(860))
	h.sent(2, 0, "AppendEntries", 2, ms(2020)) // s2 took term 2 and kept leading
	got := h.text()
	assert.Contains(t, got, "s2 led term 2 without standing for election in it (it sent no RequestVote of term 2), having led term 1")
	assert.Contains(t, got, "A leader that sees a later term steps down")

	h = newHistory()
	vote(h, 2, 0, 1, true, ms(370))
	h.sent(2, 0, "AppendEntries", 1, ms(380))
	vote(h, 2, 0, 3, true, ms(1370))
	h.sent(2, 0, "AppendEntries", 3, ms(1380))
	assert.NotContains(t, h.text(), "without standing", "a leader elected again is no hint")
}
