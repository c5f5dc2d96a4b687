package labtest

// Lab 3, continued: churn. Clients submit commands without pause while
// servers are cut off, crash and restart at random; every command a client
// saw applied must be in every server's log at the end.

// ChurnReliable checks that no acknowledged command is lost while, on a
// reliable network, servers of five are cut off, reconnected, crashed and
// restarted at random every 0.7s for 14s, and three clients submit
// commands throughout: at the end, every server's log holds every command
// a client saw applied, at the index it saw. Figure 3, Leader Completeness
// and State Machine Safety; Figure 2, persistent state.
func ChurnReliable(c *Cluster) { c.churn(true) }

// ChurnUnreliable is ChurnReliable on an unreliable network: messages are
// lost, delayed and reordered while servers come and go. Figure 3, Leader
// Completeness and State Machine Safety; §5.5.
func ChurnUnreliable(c *Cluster) { c.churn(false) }

// churn is the story of both churn scenarios.
func (c *Cluster) churn(reliable bool) {
	c.Boot(5)
	c.SetReliable(reliable)
	cl := c.startClients(3)
	for range 20 {
		if c.Rand(1000) < 200 {
			c.Disconnect(c.Rand(c.N()))
		}
		if c.Rand(1000) < 500 {
			c.bringBack(c.Rand(c.N()))
		}
		if i := c.Rand(c.N()); c.Rand(1000) < 200 && c.raft(i) != nil {
			c.Crash(i)
		}
		c.Sleep(7 * ElectionTimeout / 10)
	}

	// Calm: a reliable network, every server running and connected.
	c.Sleep(ElectionTimeout)
	c.SetReliable(true)
	for i := range c.N() {
		c.bringBack(i)
	}
	acks, err := cl.Stop()
	if err != nil {
		c.Fatalf("%v", err)
	}
	c.checkFinalLogs(acks)
}

// bringBack restarts server i if it crashed, and connects it.
func (c *Cluster) bringBack(i int) {
	c.t.Helper()
	if c.raft(i) == nil {
		c.Restart(i)
		return
	}
	c.Connect(i)
}
