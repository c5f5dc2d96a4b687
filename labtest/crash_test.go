package labtest_test

import (
	"testing"
	"time"

	"raftlabs/labtest"
	"raftlabs/labtest/testdata/broken"
)

// TestCrashedServerCannotWriteItsNextDisk checks that what a crashed
// instance saves after the crash does not reach its next one: the
// Amnesiac that scribbles over its persister once killed would fail to
// decode it at restart (readPersist panics) if it did.
func TestCrashedServerCannotWriteItsNextDisk(t *testing.T) {
	labtest.Run(t, func(c *labtest.Cluster) {
		c.Boot(3)
		f := c.Next(c.CheckOneLeader())
		c.Crash(f)
		c.Sleep(10 * time.Millisecond) // the dead instance writes meanwhile
		c.Restart(f)
		c.CheckOneLeader()
	}, broken.MakeAmnesiac(broken.Forget{Scribble: true}))
}
