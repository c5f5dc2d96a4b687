package labtest

import (
	"fmt"

	"raftlabs/labtest/internal/stacks"
)

// The cluster's face of the goroutine dumps' reading: what only the
// cluster knows (which Raft is which server, the retry storms its history
// saw), handed to the reading as data.

// describeStuck explains why a bubble's virtual clock stopped, from a dump
// of its goroutines and, when c is not nil, the test's RPCs. It is safe to
// call from outside the test's bubble: it only locks mutexes.
func describeStuck(gs []stacks.Goroutine, c *Cluster) string {
	storms := ""
	if c != nil && c.history != nil {
		storms = c.history.Storms()
	}
	return stacks.DescribeStuck(gs, c.serverPointers(), storms)
}

// describeBlocked lists the goroutines of a test that cannot go on, with
// what each waits for. c may be nil; it is used to name each goroutine's
// server.
func describeBlocked(gs []stacks.Goroutine, c *Cluster) string {
	return stacks.DescribeBlocked(gs, c.serverPointers())
}

// serverPointers returns the names of the running servers' Raft
// pointers. It only tries the cluster's lock, so that it never waits, and
// returns what it can.
func (c *Cluster) serverPointers() stacks.ServerPointers {
	if c == nil || !c.mu.TryLock() {
		return nil
	}
	defer c.mu.Unlock()
	names := stacks.ServerPointers{}
	for i, rf := range c.rafts {
		if rf != nil {
			names[fmt.Sprintf("%p", rf)] = serverName(i)
		}
	}
	return names
}
