package labtest

import (
	"time"

	"raftlabs/labtest/internal/checks"
)

// GetState asks server i for its term and whether it believes it leads.
// Every answer is also checked for election safety (paper Figure 3: at most
// one leader can be elected in a given term) against every answer seen
// earlier in the test, and recorded in the leadership history.
func (c *Cluster) GetState(i int) (term int, isLeader bool) {
	c.t.Helper()
	rf := c.raft(i)
	if rf == nil {
		c.Fatalf("GetState: s%d is crashed; Restart it before calling GetState", i)
	}
	asked := c.Now()
	c.student(i, "GetState", func() { term, isLeader = rf.GetState() })
	if took := c.Now() - asked; took > c.slowCall() {
		c.historyFatalf("GetState on s%d took %s to return: GetState must answer at once, from the server's "+
			"state under its lock, never waiting for an RPC, a timer or a channel", i, seconds(took))
	}
	if c.history != nil {
		c.history.Polled(i, term, isLeader, c.Now())
		c.revealed.Polled(i, term, asked)
		c.run.Tracer().State(i, term, isLeader)
	}
	if isLeader {
		c.sawLeader(i, term)
	}
	c.checkHistory()
	return term, isLeader
}

// slowCall is how long on the test's clock a call to Start, GetState or
// Snapshot may take: they must return at once. On the virtual clock a call
// that waits for nothing takes no time at all; on the real clock (-realtime)
// a busy machine may keep a correct call from running for a while, so the
// bound there is looser.
func (c *Cluster) slowCall() time.Duration {
	if c.run.Settings.Realtime {
		return time.Second
	}
	return 100 * time.Millisecond
}

// sawLeader records server i leading term, failing on a second leader.
func (c *Cluster) sawLeader(i, term int) {
	c.t.Helper()
	if err := c.recordLeader(i, term); err != nil {
		c.Fail(err)
	}
}

// recordLeader records server i leading term and checks election safety
// against the first leader seen in term.
func (c *Cluster) recordLeader(i, term int) error {
	if err := c.leaders.Saw(term, checks.Sighting{Server: i, At: time.Since(c.start)}); err != nil {
		f := asFailure(err)
		f.Evidence += c.twoLeadersHow(term)
		return f
	}
	return nil
}

// states polls every running, connected server.
func (c *Cluster) states() (terms map[int]int, leaders map[int][]int) {
	c.t.Helper()
	terms, leaders = map[int]int{}, map[int][]int{}
	for i := range c.n {
		if !c.IsConnected(i) {
			continue
		}
		term, isLeader := c.GetState(i)
		terms[i] = term
		if isLeader {
			leaders[term] = append(leaders[term], i)
		}
	}
	return terms, leaders
}

// CheckOneLeader waits up to 5 seconds for a connected server to believe it
// is the leader, checks that no term has two, and returns the leader of the
// newest term.
func (c *Cluster) CheckOneLeader() int {
	c.t.Helper()
	var terms map[int]int
	for range 10 {
		c.Sleep(time.Duration(450+c.Rand(100)) * time.Millisecond)
		var leaders map[int][]int
		terms, leaders = c.states()
		if leader, ok := checks.NewestLeader(leaders); ok {
			return leader
		}
	}
	// The history says why: split votes, or votes refused in every term.
	c.Fail(asFailure(checks.NoLeaderElected(5*time.Second, terms)).AboutLeaders())
	return -1
}

// CheckLeaderIs checks that server i is still a leader, and that it is the
// leader of the newest term among connected servers.
func (c *Cluster) CheckLeaderIs(i int) {
	c.t.Helper()
	terms, leaders := c.states()
	term, isLeader := c.GetState(i)
	if err := checks.StillLeads(i, term, isLeader, terms, leaders, c.history); err != nil {
		c.Fail(err)
	}
}

// CheckNoLeader checks that no connected server believes it is the leader.
func (c *Cluster) CheckNoLeader() {
	c.t.Helper()
	if err := checks.NoLeaderWithoutMajority(c.states()); err != nil {
		c.Fail(err)
	}
}

// termsSettle is how long CheckTermsAgree waits for the connected servers
// to reach one term: a follower learns a new leader's term from its first
// heartbeat, which may come a heartbeat interval after the election.
const termsSettle = 500 * time.Millisecond

// CheckTermsAgree checks that every connected server is in the same term,
// allowing termsSettle for the last of them to hear of it, and returns it.
func (c *Cluster) CheckTermsAgree() int {
	c.t.Helper()
	deadline := c.Now() + termsSettle
	for {
		terms, _ := c.states()
		term, err := checks.TermsAgree(terms, termsSettle)
		if err == nil {
			return term
		}
		if c.Now() >= deadline {
			c.Fail(err)
		}
		c.Sleep(10 * time.Millisecond)
	}
}

// termList formats terms as "s0 3, s1 3, s2 4".
func termList(terms map[int]int) string { return checks.TermList(terms) }
