package history

import (
	"fmt"
	"maps"
	"slices"

	"raftlabs/labtest/internal/words"
)

// majorityNotLed returns a hint if, in at least three of the terms given
// (terms without a leader), one candidate was granted the votes of enough
// servers to make a majority with its own, and still did not lead: it did
// not count its own vote, or did not act on a majority. "" if not. h.mu
// must be held.
func (h *History) majorityNotLed(leaderless []int) string {
	n := 0 // the servers the history has seen
	for i := range h.servers {
		n = max(n, i+1)
	}
	found := map[int][]int{} // candidate -> the terms
	voters := map[int][]int{}
	for _, t := range leaderless {
		r := h.terms[t]
		for _, cand := range slices.Sorted(maps.Keys(r.candidates)) {
			if granted := len(r.votes[cand]); granted > 0 && granted+1 > n/2 {
				found[cand] = append(found[cand], t)
				voters[cand] = r.votes[cand]
			}
		}
	}
	for _, cand := range slices.Sorted(maps.Keys(found)) {
		if ts := found[cand]; len(ts) >= 3 {
			return fmt.Sprintf("s%d was granted votes in terms %s (in term %d by %s), a majority of the %d servers "+
				"with its own, yet did not become leader: a candidate votes for itself and counts that vote "+
				"(Figure 2, Candidates: \"vote for self\"), and becomes leader once votes from a majority reach it",
				cand, termRange(ts), ts[len(ts)-1], words.Servers(voters[cand]), n)
		}
	}
	return ""
}
