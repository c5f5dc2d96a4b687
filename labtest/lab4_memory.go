package labtest

import (
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// Lab 4, continued: the memory a discarded log held is given back.

// staleEntry is the size of each command of the entries that are discarded
// in DiscardedEntriesFreed, and staleEntries how many there are: one big
// entry, since every entry costs a persist of the whole log, and the race
// detector makes encoding many big ones slow.
const (
	staleEntry   = 2_000_000
	staleEntries = 1
	keptSlots    = 10 // small entries before the big one (see DiscardedEntriesFreed)
)

// DiscardedEntriesFreed checks that a log discarded by InstallSnapshot
// is gone from memory, not only from the saved state. A leader cut off
// with one follower takes an entry of 2 MB that will never commit,
// copies it to the follower, and crashes; the other three commit past
// two snapshots. When the two return, a snapshot from the new leader
// replaces both their logs (Figure 13, rule 7: "Discard the entire log"),
// and at least half of what the entries and the two saved states held must
// then be freed. Re-slicing the log (rf.log = rf.log[:1]) keeps the old
// array, and every entry in it, alive. Paper §7.
func DiscardedEntriesFreed(c *Cluster) {
	c.Boot(5, Snapshots)
	c.Agree(c.randomCommand(), 5)

	// The leader and one follower are cut off together; the leader takes
	// the big entry, copies it to its partner and crashes.
	leader := c.CheckOneLeader()
	partner := c.Next(leader)
	others := c.others(leader, partner)
	c.Disconnect(others...)
	// Small entries first, so that the big one sits deep in the log's
	// array: a Raft that re-slices keeps the array, and the few entries
	// appended after the snapshot overwrite only its first slots.
	for range keptSlots {
		c.Start(leader, c.randomCommand())
	}
	for k := range staleEntries {
		c.Start(leader, strings.Repeat("x", staleEntry)+strconv.Itoa(k))
	}
	c.Sleep(50 * time.Millisecond)
	c.Crash(leader)
	c.Disconnect(partner)

	// The other three go on past two snapshots.
	c.Connect(others...)
	for c.applies.maxIndex() < 3*SnapshotInterval {
		c.Agree(c.randomCommand(), 3)
	}
	c.Sleep(leakWait) // RPCs that carried the big entries end
	c.mu.Lock()
	saved := int64(c.persisters[leader].RaftStateSize() + c.persisters[partner].RaftStateSize())
	c.mu.Unlock()
	before := heapInUse()

	// Both come back; the snapshot replaces their logs.
	c.Connect(partner)
	c.Restart(leader)
	c.Agree(c.randomCommand(), 5)
	c.Sleep(leakWait) // and RPCs that carried the snapshot or the old entries end
	after := heapInUse()
	held := saved + staleEntries*staleEntry // the saved states, and the partner's log
	if err := discardedMemory(before-after, held, []int{leader, partner}); err != nil {
		c.Fatalf("%v", err)
	}
}

// heapInUse returns the bytes of live heap after a garbage collection. It
// collects twice: gob keeps the buffers it encodes into in a sync.Pool,
// which lets go of them only at the second collection after their last
// use, and the buffers of a big entry's RPCs and persists would otherwise
// come and go with the timing of the collector, megabytes at a time.
func heapInUse() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// discardedMemory checks that at least half of held, the bytes the
// servers' discarded logs and saved states held, were freed.
func discardedMemory(freed, held int64, servers []int) error {
	if freed >= held/2 {
		return nil
	}
	return fmt.Errorf("%s replaced their logs with a leader's snapshot and caught up, but the test process's live "+
		"heap shrank by only %.1f MB of the %.1f MB their discarded entries and saved states held: the discarded "+
		"entries are still in memory. Re-slicing (rf.log = rf.log[:1], rf.log = rf.log[i:]) keeps the old array "+
		"and every entry in it alive; copy the entries you keep into a new slice",
		serverList(servers), float64(freed)/1e6, float64(held)/1e6)
}
