package history

import (
	"fmt"
	"maps"
	"slices"

	"raftlabs/labtest/internal/words"
)

// electionsStalled returns a hint if the latest term has no leader and a
// server that stood for election in it was still in it, alive (its
// GetState said so), two election timeouts later: a server whose election
// fails must stand again when its timeout elapses. "" if not. h.mu must be
// held.
func (h *History) electionsStalled() string {
	terms := slices.Sorted(maps.Keys(h.terms))
	if len(terms) == 0 {
		return ""
	}
	last := terms[len(terms)-1]
	r := h.terms[last]
	if len(r.leaders) > 0 {
		return ""
	}
	for _, i := range slices.Sorted(maps.Keys(r.candidates)) {
		stood := r.candidates[i].At
		s := h.servers[i]
		if s == nil || !s.polled || s.pollTerm != last || s.pollLeader || s.pollAt-stood < 2*h.electionTimeout {
			continue
		}
		return fmt.Sprintf("s%d stood for election in term %d at %s and was still in that term, with no leader, at "+
			"%s (its GetState): a candidate whose election fails starts a new one, in a new term, when its election "+
			"timeout elapses (Figure 2, Candidates: \"If election timeout elapses: start new election\")",
			i, last, words.Seconds(stood), words.Seconds(s.pollAt))
	}
	return ""
}
