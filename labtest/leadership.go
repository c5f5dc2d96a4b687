package labtest

import "raftlabs/labtest/internal/history"

// The cluster's face of the leadership history (package history).

// candidacy is one server standing for election in a term, as the history
// saw it.
type candidacy = history.Candidacy

// historyText is the test's leadership history and the hints derived from
// it, for a failure that involves leaders or terms. It is at most a few
// dozen lines. It needs no lock of the cluster's, so it may be called with
// c.mu held or not, and from outside the test's bubble.
func (c *Cluster) historyText() string {
	if c.history == nil {
		return ""
	}
	return c.history.Text()
}

// twoLeadersHow is a line that explains two leaders of term from the
// servers' votes ("\nhow two won: ..."), or "".
func (c *Cluster) twoLeadersHow(term int) string {
	if c.revealed == nil {
		return ""
	}
	if how := c.revealed.TwoLeaders(term); how != "" {
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
	if p := c.history.SafetyProblem(); p != "" {
		c.historyFatalf("%s%s", p, c.twoLeadersHow(c.history.UnsafeTerm()))
	}
	if f := c.history.UnearnedProblem(); f != nil {
		c.Fail(f)
	}
}
