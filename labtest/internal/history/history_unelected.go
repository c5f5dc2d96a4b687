package history

import (
	"fmt"
	"maps"
	"slices"
)

// unelectedLeader returns a hint if a server led a term it never stood for
// election in, having led an earlier one: it took a later term it learned
// of and kept leading. "" if no server did. h.mu must be held.
func (h *History) unelectedLeader() string {
	terms := slices.Sorted(maps.Keys(h.terms))
	ledBefore := map[int]int{} // server -> the last term it led, so far
	for _, t := range terms {
		r := h.terms[t]
		for _, i := range slices.Sorted(maps.Keys(r.leaders)) {
			_, stood := r.candidates[i]
			if earlier, ok := ledBefore[i]; ok && !stood && earlier < t {
				return fmt.Sprintf("s%d led term %d without standing for election in it (it sent no RequestVote of "+
					"term %d), having led term %d: it took the later term it learned of and kept leading. A leader "+
					"that sees a later term steps down (Figure 2, Rules for All Servers: \"If RPC request or response "+
					"contains term T > currentTerm: set currentTerm = T, convert to follower\")", i, t, t, earlier)
			}
		}
		for i := range r.leaders {
			ledBefore[i] = t
		}
	}
	return ""
}
