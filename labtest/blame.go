package labtest

import (
	"raftlabs/labtest/internal/runner"
	"raftlabs/labtest/internal/stacks"
)

// clusterView is what the run (package runner) reads of the cluster, from
// outside the test's bubble too: what only the cluster knows, handed to
// the watchdog's and the goroutine dumps' reading as data.
type clusterView struct{ c *Cluster }

func (v clusterView) Stats() *runner.Stats                  { return v.c.currentStats() }
func (v clusterView) ServerPointers() stacks.ServerPointers { return v.c.serverPointers() }
func (v clusterView) DescribeNetwork() string               { return v.c.describeNetwork() }

// Storms describes the retry storms the test's RPCs show, or "".
func (v clusterView) Storms() string {
	if v.c.history == nil {
		return ""
	}
	return v.c.history.Storms()
}

// serverPointers returns the names of the running servers' Raft
// pointers. It only tries the cluster's lock, so that it never waits, and
// returns what it can.
func (c *Cluster) serverPointers() stacks.ServerPointers {
	if c == nil || !c.mu.TryLock() {
		return nil
	}
	s := c.servers
	c.mu.Unlock()
	return s.Pointers()
}
