package labtest_test

import (
	"testing"

	"raftlabs/labtest"
	"raftlabs/solutions"
)

// The helpers later labs lean on, tried against the reference: a crashed
// server restarts from a copy of its persister and replays its log (the
// apply checker compares the replay with what it applied before), and a
// partition keeps a minority from committing.

func TestCrashAndRestart(t *testing.T) {
	labtest.Run(t, func(c *labtest.Cluster) {
		c.Boot(3)
		c.Agree(101, 3)

		leader := c.CheckOneLeader()
		c.Crash(leader)
		if c.IsConnected(leader) {
			c.Fatalf("s%d is still connected after Crash", leader)
		}
		c.Agree(102, 2)

		c.Restart(leader)
		c.Agree(103, 3)
	}, solutions.Make)
}

func TestPartitionAndHeal(t *testing.T) {
	labtest.Run(t, func(c *labtest.Cluster) {
		c.Boot(5)
		c.Agree(1, 5)

		leader := c.CheckOneLeader()
		minority := []int{leader, c.Next(leader)}
		majority := []int{c.Next(leader + 1), c.Next(leader + 2), c.Next(leader + 3)}
		c.Partition(minority, majority)
		index, _ := c.StartOnLeader(leader, 2)
		c.Agree(3, 3)
		if count, cmd := c.Committed(index); cmd == 2 {
			c.Fatalf("the minority's entry was applied by %d servers", count)
		}

		c.Heal()
		c.Agree(4, 5)
	}, solutions.Make)
}
