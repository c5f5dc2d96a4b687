package labtest

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// The leadership history in words: the lines a failure prints and the
// hints derived from them.

// text is the history as the failures print it: a line per term, the
// latest historyTerms of them, then the hints derived from it.
func (h *history) text() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	terms := slices.Sorted(maps.Keys(h.terms))
	if len(terms) == 0 {
		return "leadership history: no server stood for election or led, as far as the RPCs and GetState show\n"
	}
	var b strings.Builder
	b.WriteString("leadership history (the test's clock; from the servers' RPCs and GetState):\n")
	if hidden := len(terms) - historyTerms; hidden > 0 {
		led := 0
		for _, t := range terms[:hidden] {
			if len(h.terms[t].leaders) > 0 {
				led++
			}
		}
		fmt.Fprintf(&b, "  terms %d-%d not shown: %d terms, %d of them with a leader\n",
			terms[0], terms[hidden-1], hidden, led)
		terms = terms[hidden:]
	}
	for _, t := range terms {
		fmt.Fprintf(&b, "  term %d: %s\n", t, h.termLine(t))
	}
	for _, hint := range h.hints() {
		fmt.Fprintf(&b, "  hint: %s\n", hint)
	}
	return b.String()
}

// termLine describes one term: "s0 stood at 0.31s, votes from [s1 s2]; s0 led from 0.33s".
func (h *history) termLine(t int) string {
	r := h.terms[t]
	var parts []string
	for _, i := range slices.Sorted(maps.Keys(r.candidates)) {
		c := r.candidates[i]
		s := fmt.Sprintf("s%d stood at %s", i, seconds(c.at))
		if c.downFrom > 0 {
			s += fmt.Sprintf(" (%s after it stopped leading term %d)", seconds(c.afterDown), c.downFrom)
		}
		if v := r.votes[i]; len(v) > 0 {
			s += ", votes from " + serverList(v)
		}
		if v := r.refusals[i]; len(v) > 0 {
			s += ", refused by " + serverList(v)
		}
		parts = append(parts, s)
	}
	leaders := slices.Sorted(maps.Keys(r.leaders))
	slices.SortStableFunc(leaders, func(a, b int) int { return int(r.leaders[a] - r.leaders[b]) })
	for _, i := range leaders {
		s := fmt.Sprintf("s%d led from %s", i, seconds(r.leaders[i]))
		if sr := h.servers[i]; sr != nil && sr.led == t && sr.downAt >= 0 {
			s += fmt.Sprintf(" until it learned of term %d at %s", sr.downTo, seconds(sr.downAt))
		}
		parts = append(parts, s)
	}
	if len(r.leaders) == 0 && len(r.candidates) > 0 {
		parts = append(parts, "no leader")
	}
	return strings.Join(parts, "; ")
}

// hints derives advice from the history, for the patterns that have one
// likely cause. h.mu must be held.
func (h *history) hints() []string {
	var hints []string
	if h.safety != "" {
		hints = append(hints, h.safety)
	}
	if hint := h.unelectedLeader(); hint != "" {
		hints = append(hints, hint)
	}
	if hint := h.heartbeatsStopped(); hint != "" {
		hints = append(hints, hint)
	}
	if hint := h.electionsStalled(); hint != "" {
		hints = append(hints, hint)
	}
	terms := slices.Sorted(maps.Keys(h.terms))

	// A server that stood again at once after its leadership ended.
	for _, t := range terms {
		for _, i := range slices.Sorted(maps.Keys(h.terms[t].candidates)) {
			if c := h.terms[t].candidates[i]; c.downFrom > 0 && c.afterDown < restandGap {
				hints = append(hints, fmt.Sprintf("s%d stood for election in term %d %s after it learned that its "+
					"term %d as leader was over: a server that steps down must start a fresh election timeout; "+
					"a deadline left from before it led has long passed, so it unseats the new leader at once",
					i, t, seconds(c.afterDown), c.downFrom))
				break
			}
		}
	}

	// Elections without a winner, in the latest terms.
	recent := terms[max(0, len(terms)-historyTerms):]
	var split, leaderless []int
	for _, t := range recent {
		r := h.terms[t]
		if len(r.leaders) > 0 || len(r.candidates) == 0 {
			continue
		}
		leaderless = append(leaderless, t)
		if len(r.candidates) > 1 {
			split = append(split, t)
		}
	}
	if hint := h.majorityNotLed(leaderless); hint != "" {
		return append(hints, hint) // the cause: split votes and refusals follow from it
	}
	if len(split) >= 3 && 2*len(split) >= len(leaderless) {
		hints = append(hints, fmt.Sprintf("split votes: in %d of the latest %d terms (%s) several servers stood "+
			"for election at once and none won a majority: election timeouts must be randomized (§5.2), so that "+
			"one server usually times out and wins before the others stand", len(split), len(recent), termRange(split)))
	}

	// Voters that refuse every candidate of new terms, without having voted.
	refusedBy := map[int][]int{}
	for _, t := range leaderless {
		r := h.terms[t]
		for _, cand := range slices.Sorted(maps.Keys(r.refusals)) {
			for _, v := range r.refusals[cand] {
				if _, stood := r.candidates[v]; stood || votedIn(r, v) {
					continue
				}
				if !slices.Contains(refusedBy[v], t) {
					refusedBy[v] = append(refusedBy[v], t)
				}
			}
		}
	}
	for _, v := range slices.Sorted(maps.Keys(refusedBy)) {
		if ts := refusedBy[v]; len(ts) >= 3 {
			hints = append(hints, fmt.Sprintf("s%d refused its vote in terms %s without voting for anyone in them "+
				"(as far as the network shows): unless the candidates' logs were behind its own, votedFor was not "+
				"reset when the term changed (Figure 2: votedFor is the vote cast in currentTerm)", v, termRange(ts)))
			break
		}
	}
	return hints
}

// votedIn reports whether server v's granted vote is known in term r.
func votedIn(r *termRecord, v int) bool {
	for _, voters := range r.votes {
		if slices.Contains(voters, v) {
			return true
		}
	}
	return false
}

// storms describes the streams of calls made many times at one instant of
// the test's clock, the busiest first, with the rule each breaks.
func (h *history) storms() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	keys := slices.Collect(maps.Keys(h.pairs))
	slices.SortFunc(keys, func(a, b pairKey) int { return h.pairs[b].burst - h.pairs[a].burst })
	var b strings.Builder
	for _, k := range keys {
		p := h.pairs[k]
		if p.burst < stormCalls {
			break
		}
		fmt.Fprintf(&b, "s%d sent %s %s to s%d at %s on the test's clock, without the clock moving",
			k.from, thousands(p.burst), k.method, k.to, seconds(p.at))
		switch {
		case p.burstRefused == 0:
			b.WriteString(": a call must not be repeated at once in a loop; wait for a reply, a timer or a heartbeat\n")
			continue
		case p.burstRefused >= p.burst-1:
			b.WriteString(", each refused")
		default:
			fmt.Fprintf(&b, ", %s of them refused", thousands(p.burstRefused))
		}
		fmt.Fprintf(&b, " (request term %d, reply term %d)", p.argsTerm, p.replyTerm)
		switch {
		case p.replyTerm > p.argsTerm:
			fmt.Fprintf(&b, ": a reply with a higher term means the sender's term is over: s%d must adopt term %d "+
				"and step down to follower (Figure 2, All Servers), not retry\n", k.from, p.replyTerm)
		case k.method == "AppendEntries":
			fmt.Fprintf(&b, ": a refused AppendEntries from a leader of the receiver's own term means either that "+
				"s%d must step down to follower and accept its leader (Figure 2, Candidates: \"If AppendEntries RPC "+
				"received from new leader: convert to follower\"), or that the logs differ and s%d must back up "+
				"nextIndex; never resend at once in a loop\n", k.to, k.from)
		default:
			fmt.Fprintf(&b, ": a candidate whose vote was refused must not ask again at once; it waits for its "+
				"next election timeout\n")
		}
	}
	return b.String()
}

// termRange formats terms as "5-9" when consecutive, else "5, 7, 9".
func termRange(ts []int) string {
	if len(ts) > 1 && ts[len(ts)-1]-ts[0] == len(ts)-1 {
		return fmt.Sprintf("%d-%d", ts[0], ts[len(ts)-1])
	}
	parts := make([]string, len(ts))
	for k, t := range ts {
		parts[k] = strconv.Itoa(t)
	}
	return strings.Join(parts, ", ")
}

// thousands formats n as "152,311".
func thousands(n int) string {
	s := strconv.Itoa(n)
	for k := len(s) - 3; k > 0; k -= 3 {
		s = s[:k] + "," + s[k:]
	}
	return s
}

func appendOnce(s []int, v int) []int {
	if slices.Contains(s, v) {
		return s
	}
	return append(s, v)
}

// historyText is the test's leadership history and the hints derived from
// it, for a failure that involves leaders or terms. It is at most a few
// dozen lines. It needs no lock of the cluster's, so it may be called with
// c.mu held or not, and from outside the test's bubble.
func (c *Cluster) historyText() string {
	if c.history == nil {
		return ""
	}
	return c.history.text()
}

// twoLeadersHow is a line that explains two leaders of term from the
// servers' votes ("\nhow two won: ..."), or "".
func (c *Cluster) twoLeadersHow(term int) string {
	if c.revealed == nil {
		return ""
	}
	if how := c.revealed.twoLeaders(term); how != "" {
		return "\n" + how
	}
	return ""
}

// checkHistory fails the test if the servers' RPCs broke election safety,
// or a server led a term without a majority's votes.
func (c *Cluster) checkHistory() {
	c.t.Helper()
	if c.history == nil {
		return
	}
	if p := c.history.safetyProblem(); p != "" {
		c.historyFatalf("%s%s", p, c.twoLeadersHow(c.history.unsafeTerm()))
	}
	if f := c.history.unearnedProblem(); f != nil {
		c.Fail(f)
	}
}
