package labtest

import (
	"cmp"
	"time"

	"raftlabs/labgob"
	"raftlabs/labtest/internal/runner"
	"raftlabs/labtest/internal/stacks"
)

// The end of every test: kill the servers, wait for their goroutines, and
// say what is left.

// leakWait is how long after the last Kill the harness waits for a test's
// goroutines to end, longer than the network's longest delay.
const leakWait = 10 * time.Second

// finish ends every test: it kills the servers, waits for their goroutines
// to end while draining applyCh, and reports what is left (runner.End): as
// a warning, or as a failure in the tests that check Kill
// (CheckKillStopsGoroutines).
func (c *Cluster) finish() {
	if c.run.Aborted() {
		return
	}
	defer c.run.ShutDownOver()
	if c.net == nil {
		close(c.stopping)
		return
	}
	unsaved := c.checkLivePersisted() // before the kills: what each server saved while it ran
	for i := range c.n {
		if rf := c.raft(i); rf != nil {
			c.kill(i, rf)
		}
	}
	c.run.SetStats(c.currentStats())
	leaks := c.waitForGoroutines()
	close(c.stopping)
	c.net.Close()

	var problem *Failure
	if err := cmp.Or(c.backgroundProblem(), unsaved); err != nil && !c.reported {
		problem = c.dress(asFailure(err))
	}
	c.run.End(c.t, runner.Ending{Problem: problem, Warnings: labgob.WarningsSince(c.problems.codec),
		Leaks: leaks, Waited: leakWait, LeaksFail: c.leaksFail})
}

// CheckKillStopsGoroutines kills every server and fails the test if any of
// their goroutines is still running leakWait later.
func (c *Cluster) CheckKillStopsGoroutines() {
	c.t.Helper()
	c.leaksFail = true
	for i := range c.n {
		if rf := c.raft(i); rf != nil {
			c.kill(i, rf)
		}
	}
	if leaks := c.waitForGoroutines(); len(leaks) > 0 {
		c.Fatalf("%s", stacks.DescribeLeaks(leaks, leakWait))
	}
}

// waitForGoroutines waits up to leakWait, or twice that for RPCs still on
// their way, for the test's goroutines to end, and returns those still
// running; see runner.WaitForGoroutines. It first ends the network's idle
// handler goroutines (labrpc's SetHandlerReuse), which would otherwise
// keep the count of goroutines above what the harness has of its own.
func (c *Cluster) waitForGoroutines() []stacks.Goroutine {
	if c.net != nil {
		c.net.SetHandlerReuse(false)
	}
	return c.run.WaitForGoroutines(leakWait, func() int { return int(c.baseline) + int(c.drains.Load()) })
}

// shutDown kills every server and closes the network so that nothing the
// test left behind keeps running. For a test the harness has given up on.
func (c *Cluster) shutDown() {
	for _, rf := range c.serversNow().Running() {
		func() {
			defer func() { _ = recover() }()
			rf.Kill()
		}()
	}
	if c.net != nil {
		c.net.Close()
	}
}

// currentStats returns the numbers for the summary line.
func (c *Cluster) currentStats() *runner.Stats {
	s := &runner.Stats{Peers: c.n, Elapsed: time.Since(c.start)}
	if c.net != nil {
		s.RPCs = c.net.TotalCount()
		s.Bytes = c.net.TotalBytes()
	}
	if c.applies != nil {
		s.Commands = c.applies.MaxIndex()
	}
	return s
}

// checkBackground fails the test if a background check found a problem.
func (c *Cluster) checkBackground() {
	c.t.Helper()
	if err := c.backgroundProblem(); err != nil {
		c.reported = true
		c.Fail(err)
	}
}

// backgroundProblem returns the first problem found outside the scenario's
// own checks, nil if none; see records.Records.Problem.
func (c *Cluster) backgroundProblem() error { return c.records().Problem() }
