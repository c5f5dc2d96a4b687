package labtest

import (
	"fmt"
	"time"
)

// heartbeat is the watchdog's half inside the bubble: it ticks the test's
// clock for the watcher outside, and ends a test that runs past
// VirtualTimeLimit.
func (c *Cluster) heartbeat() {
	c.run.Helper()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-c.stopping:
			return
		case <-tick.C:
		}
		elapsed := time.Since(c.start)
		c.run.Beat(elapsed)
		if elapsed > VirtualTimeLimit {
			c.run.Abort(fmt.Sprintf("the test did not finish within %v on its clock: something waits for ever "+
				"(a deadlock, or a call into Raft that never returns)\n  network: %s\n%s",
				VirtualTimeLimit, c.describeNetwork(), c.run.DescribeBlocked(c.run.BubbleGoroutines())))
			c.shutDown()
			return
		}
	}
}
