package labtest

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
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
	if took := c.Now() - asked; took > slowCall {
		c.historyFatalf("GetState on s%d took %s to return: GetState must answer at once, from the server's "+
			"state under its lock, never waiting for an RPC, a timer or a channel", i, seconds(took))
	}
	if c.history != nil {
		c.history.polled(i, term, isLeader, c.Now())
	}
	if isLeader {
		c.sawLeader(i, term)
	}
	c.checkHistory()
	return term, isLeader
}

// slowCall is how long on the test's clock a call to Start or GetState may
// take: they must return at once.
const slowCall = 100 * time.Millisecond

// sawLeader records server i leading term, failing on a second leader.
func (c *Cluster) sawLeader(i, term int) {
	c.t.Helper()
	now := time.Since(c.start)
	c.mu.Lock()
	first, seen := c.leaders[term]
	if !seen {
		c.leaders[term] = sighting{server: i, at: now}
	}
	c.mu.Unlock()
	if seen && first.server != i {
		c.historyFatalf("election safety: term %d has 2 leaders %s\n  s%d leader since %s; s%d leader at %s",
			term, serverList([]int{first.server, i}), first.server, seconds(first.at), i, seconds(now))
	}
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
		if len(leaders) > 0 {
			newest := slices.Max(slices.Collect(maps.Keys(leaders)))
			return leaders[newest][0]
		}
	}
	c.historyFatalf("no leader: 5s passed and no connected server believes it is the leader\n  terms: %s", termList(terms))
	return -1
}

// CheckLeaderIs checks that server i is still a leader, and that it is the
// leader of the newest term among connected servers.
func (c *Cluster) CheckLeaderIs(i int) {
	c.t.Helper()
	terms, leaders := c.states()
	term, isLeader := c.GetState(i)
	if !isLeader {
		was := fmt.Sprintf("s%d should still be the leader", i)
		if led, since, ok := c.history.ledTerm(i); ok {
			was = fmt.Sprintf("s%d led term %d from %s and should still lead", i, led, seconds(since))
		}
		now := ""
		for _, t := range slices.Sorted(maps.Keys(leaders)) {
			now += fmt.Sprintf("; %s believes it leads term %d", serverList(leaders[t]), t)
		}
		c.historyFatalf("%s, but it is in term %d and no longer believes it leads%s\n  terms: %s",
			was, term, now, termList(terms))
	}
	for t, ls := range leaders {
		if t > term {
			c.historyFatalf("s%d leads term %d, but %s lead the newer term %d\n  terms: %s",
				i, term, serverList(ls), t, termList(terms))
		}
	}
}

// CheckNoLeader checks that no connected server believes it is the leader.
func (c *Cluster) CheckNoLeader() {
	c.t.Helper()
	terms, leaders := c.states()
	for term, ls := range leaders {
		c.historyFatalf("%s believes it leads term %d, but no majority of servers is connected, so no leader can be elected\n  terms: %s",
			serverList(ls), term, termList(terms))
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
		if term, agree := sameTerm(terms); agree {
			return term
		}
		if c.Now() >= deadline {
			c.historyFatalf("terms disagree: once a leader sends heartbeats, every connected server should be in its "+
				"term within %v\n  terms: %s", termsSettle, termList(terms))
		}
		c.Sleep(10 * time.Millisecond)
	}
}

// sameTerm returns the term all of terms hold, if they agree.
func sameTerm(terms map[int]int) (term int, agree bool) {
	term = -1
	for _, t := range terms {
		if term == -1 {
			term = t
		} else if t != term {
			return 0, false
		}
	}
	return term, true
}

// termList formats terms as "s0 3, s1 3, s2 4".
func termList(terms map[int]int) string {
	var parts []string
	for _, i := range slices.Sorted(maps.Keys(terms)) {
		parts = append(parts, fmt.Sprintf("s%d %d", i, terms[i]))
	}
	if len(parts) == 0 {
		return "(no connected server)"
	}
	return strings.Join(parts, ", ")
}
