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
