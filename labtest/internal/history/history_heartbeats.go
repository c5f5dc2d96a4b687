package history

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"raftlabs/labtest/internal/words"
)

// heartbeatsStopped returns a hint if a server led for a while, over terms
// that ended with another server's election, yet sent each other server
// no more AppendEntries than it led terms: one round per term, and no
// heartbeats after it. "" if no server did. h.mu must be held.
func (h *History) heartbeatsStopped() string {
	terms := slices.Sorted(maps.Keys(h.terms))
	// began[k] is when terms[k] began: its first candidacy.
	began := make([]time.Duration, len(terms))
	for k, t := range terms {
		began[k] = -1
		for _, c := range h.terms[t].candidates {
			if began[k] < 0 || c.At < began[k] {
				began[k] = c.At
			}
		}
	}
	led := map[int][]int{}             // server -> the terms it led that a later one ended
	leading := map[int]time.Duration{} // server -> the time it led in them
	for k, t := range terms {
		if k+1 == len(terms) || began[k+1] < 0 {
			continue
		}
		for i, since := range h.terms[t].leaders {
			if end := began[k+1]; end > since {
				led[i] = append(led[i], t)
				leading[i] += end - since
			}
		}
	}
	for _, i := range slices.Sorted(maps.Keys(led)) {
		if len(led[i]) < 2 || leading[i] < 5*heartbeatGap {
			continue
		}
		most := 0
		for key, p := range h.pairs {
			if key.from == i && key.method == "AppendEntries" {
				most = max(most, p.calls)
			}
		}
		if most > 0 && most <= len(h.terms) && most <= 2*len(led[i]) {
			slices.Sort(led[i])
			return fmt.Sprintf("s%d led terms %s for %s in all, until others were elected, but sent no server more "+
				"than %d AppendEntries in the whole test: a leader sends heartbeats during idle periods, not only "+
				"when it is elected (Figure 2, Leaders: \"repeat during idle periods to prevent election timeouts\")",
				i, termRange(led[i]), words.Seconds(leading[i]), most)
		}
	}
	return ""
}

// heartbeatGap is the longest a leader of the course waits between two
// AppendEntries to a follower (docs: at most 10 heartbeats a second; the
// election timeout allows well under one).
const heartbeatGap = 100 * time.Millisecond
