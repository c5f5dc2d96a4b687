package labtest

import (
	"time"

	"raftlabs/labtest/internal/agreement"
	"raftlabs/labtest/internal/checks"
	"raftlabs/labtest/internal/servers"
)

// Start asks server i to append command, and returns what it answered.
func (c *Cluster) Start(i int, command any) (index, term int, isLeader bool) {
	c.t.Helper()
	index, term, isLeader, err := c.tryStart(i, command)
	if err != nil {
		c.Fail(err)
	}
	return index, term, isLeader
}

// tryStart is Start that returns what went wrong instead of failing the
// test, for callers on goroutines other than the test's own (several
// clients starting commands at once): only the test's goroutine may end it.
func (c *Cluster) tryStart(i int, command any) (index, term int, isLeader bool, err error) {
	rf := c.raft(i)
	if rf == nil {
		return 0, 0, false, failure("Start: s%d is crashed; Restart it before calling Start", i)
	}
	if err := checks.Replicable(command); err != nil {
		return 0, 0, false, failure("Start(%s) on s%d: %v", commandText(command), i, err)
	}
	c.receipts.Starting(i, command)
	asked := c.Now()
	if err := servers.Call(i, "Start", func() { index, term, isLeader = rf.Start(command) }); err != nil {
		return 0, 0, false, err
	}
	c.receipts.Started(i, command, index, isLeader)
	c.run.Tracer().Command(i, command, index, term, isLeader)
	if took := c.Now() - asked; took > c.slowCall() {
		return index, term, isLeader, checks.StartedLate(command, i, asked, took, term, isLeader, c.history)
	}
	if isLeader {
		if c.persistenceTaught() {
			c.unsaved.NoteStart(i, command, index, term, c.Now())
		}
		c.exchanges.NoteStart(i, index, term, command, c.Now())
		if err := c.checkStartLeads(i, term, command); err != nil {
			return index, term, isLeader, err
		}
		if err := c.recordLeader(i, term); err != nil {
			return index, term, isLeader, err
		}
	}
	return index, term, isLeader, nil
}

// StartOnLeader starts command on server i, which the test has just seen
// leading, and fails the test if i refuses it.
func (c *Cluster) StartOnLeader(i int, command any) (index, term int) {
	c.t.Helper()
	index, term, ok := c.Start(i, command)
	if !ok {
		c.Fatalf("s%d refused Start(%s) although it believed it led a moment before, with no fault since",
			i, commandText(command))
	}
	return index, term
}

// Committed returns how many servers have applied index, and the command
// there. The apply checker has already made sure they agree.
func (c *Cluster) Committed(index int) (count int, command any) {
	c.t.Helper()
	c.checkBackground()
	return c.applies.Committed(index)
}

// WaitCommitted waits until at least n servers have applied index and
// returns the command there. It gives up, returning nil, if any server's
// term moves past startTerm (pass -1 to wait regardless), since the entry
// may then have been replaced; and it fails the test after 10 seconds.
func (c *Cluster) WaitCommitted(index, n, startTerm int) any {
	c.t.Helper()
	cmd, err := agreement.WaitCommitted(agreeView{c}, index, n, startTerm)
	if err != nil {
		c.Fail(err)
	}
	return cmd
}

// Agree submits command to whichever server is leader and checks that at
// least n servers apply it. If the entry is lost in a change of leader it
// submits it again, for up to 10 seconds. It returns the command's index.
func (c *Cluster) Agree(command any, n int) int {
	c.t.Helper()
	return c.agree(command, n, true)
}

// AgreeOnce is Agree without resubmission: the first leader to accept the
// command must get it applied by n servers.
func (c *Cluster) AgreeOnce(command any, n int) int {
	c.t.Helper()
	return c.agree(command, n, false)
}

func (c *Cluster) agree(command any, n int, resubmit bool) int {
	c.t.Helper()
	index, err := agreement.Agree(agreeView{c}, command, n, resubmit)
	if err != nil {
		c.Fail(err)
	}
	return index
}

// agreeView is what package agreement reads of the cluster: its faces,
// and the facts its verdicts name.
type agreeView struct{ *Cluster }

func (v agreeView) Running(i int) bool        { return v.raft(i) != nil }
func (v agreeView) MaxIndex() int             { return v.applies.MaxIndex() }
func (v agreeView) AppliedBy(index int) []int { return v.appliedBy(index) }
func (v agreeView) StallHow(leader, index int, command any) string {
	return v.records().Stall(leader, index, command)
}

// appliedBy returns the servers that have applied index.
func (c *Cluster) appliedBy(index int) []int {
	var servers []int
	for i := range c.n {
		if _, ok := c.applies.Applied(i, index); ok {
			servers = append(servers, i)
		}
	}
	return servers
}

// Applied returns the command server i applied at index, if it has.
func (c *Cluster) Applied(i, index int) (command any, ok bool) {
	return c.applies.Applied(i, index)
}

// CheckNotCommitted checks that no server has applied index.
func (c *Cluster) CheckNotCommitted(index int, why string) {
	c.t.Helper()
	count, cmd := c.Committed(index)
	if err := checks.NotApplied(index, count, cmd, c.appliedBy(index), why); err != nil {
		c.Fail(err)
	}
}

// Leader waits for a server among candidates to lead a term newer than
// after, and returns it with its term. Use it where several partitions each
// hold a server that believes it leads.
func (c *Cluster) Leader(candidates []int, after int) (leader, term int) {
	c.t.Helper()
	start := c.Now()
	for c.Now()-start < 5*time.Second {
		c.Sleep(50 * time.Millisecond)
		for _, i := range candidates {
			if t, ok := c.GetState(i); ok && t > after {
				return i, t
			}
		}
	}
	c.historyFatalf("no leader among %s in a term after %d within 5s (they form a majority, so one of them "+
		"must be elected)\n  found instead: %s", serverList(candidates), after, c.describeLeaders())
	return -1, -1
}

// randomCommand returns a distinct random int command.
func (c *Cluster) randomCommand() int {
	return 1_000_000 + c.Rand(1_000_000_000)
}

// randomString returns a random string of n letters.
func (c *Cluster) randomString(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('a' + c.Rand(26))
	}
	return string(b)
}

// describeLeaders says what every running server believes now; see
// checks.DescribeLeaders.
func (c *Cluster) describeLeaders() string {
	c.t.Helper()
	terms, leading := map[int]int{}, map[int]bool{}
	for i := range c.n {
		if c.raft(i) != nil {
			terms[i], leading[i] = c.GetState(i)
		}
	}
	return checks.DescribeLeaders(terms, leading)
}
