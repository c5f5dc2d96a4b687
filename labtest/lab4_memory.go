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
// and the live heap must then shrink by at least three quarters of what
// the follower's log and saved state held: the restarted leader's copy,
// decoded from its saved state, must go too, and what it had saved is
// given back only if nothing of the killed instance lives on, so that is
// not asked for (goroutines left after Kill are the Kill tests' business).
// Paper §7.
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
	var index int
	for k := range staleEntries {
		index, _ = c.StartOnLeader(leader, strings.Repeat("x", staleEntry)+strconv.Itoa(k))
	}
	c.waitSaved(partner, leader, index)
	c.Crash(leader)
	c.Disconnect(partner)

	// The other three go on past two snapshots.
	c.Connect(others...)
	for c.applies.MaxIndex() < 3*SnapshotInterval {
		c.Agree(c.randomCommand(), 3)
	}
	c.Sleep(leakWait) // RPCs that carried the big entries end
	// partner's saved state holds the big entries too: the snapshot that
	// replaces its log frees them there as well.
	saved := int64(c.RaftStateSize(partner))
	before := heapInUse()

	// Both come back; the snapshot replaces their logs.
	c.Connect(partner)
	c.Restart(leader)
	c.Agree(c.randomCommand(), 5)
	c.Sleep(leakWait) // and RPCs that carried the snapshot or the old entries end
	after := heapInUse()
	if err := discardedMemory(before-after, saved, staleEntries*staleEntry, partner, leader); err != nil {
		c.Fatalf("%v", err)
	}
}

// waitSaved waits up to 2 seconds for server i to have saved the big
// entries, which leader accepted through index: its saved state must have
// grown by their size. A leader sends a new entry to a connected follower
// with its next AppendEntries, a heartbeat at the latest.
func (c *Cluster) waitSaved(i, leader, index int) {
	c.t.Helper()
	start := c.Now()
	for {
		// What i has saved: its log, which holds the big entries once it
		// has them.
		size := c.RaftStateSize(i)
		if size >= staleEntries*staleEntry {
			return
		}
		if c.Now()-start >= 2*time.Second {
			c.Fatalf("s%d's saved state was %d bytes 2s after its leader s%d accepted an entry of %d bytes at index %d, "+
				"with the two connected: the leader must send a follower new entries with its next AppendEntries "+
				"(a heartbeat at the latest), and the follower must persist them before it answers (Figure 2)",
				i, size, leader, staleEntry, index)
		}
		c.Sleep(10 * time.Millisecond)
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

// discardedMemory checks that the live heap shrank by at least three
// quarters of what follower's discarded entries (logs bytes) and saved
// state (saved bytes) held: freed bytes. Three quarters leaves room for
// the collector's noise, and fails a Raft that keeps the follower's
// entries or the restarted leader's copy of them.
func discardedMemory(freed, saved, logs int64, follower, leader int) error {
	held := saved + logs
	if freed >= held*3/4 {
		return nil
	}
	return fmt.Errorf("s%d and s%d (restarted from its saved state) replaced their logs with a leader's snapshot and "+
		"caught up, but the test process's live heap shrank by only %.1f MB of the %.1f MB that s%d's discarded "+
		"entries (%.1f MB) and saved state (%.1f MB) held (what crashed s%d held is not counted, in case goroutines "+
		"left after Kill keep it). Something still refers to the discarded entries: a log re-sliced rather than "+
		"copied (rf.log = rf.log[i:] keeps the old array and every entry in it), or another reference kept to them "+
		"(the last AppendEntries' arguments, a slice of the old log, an ApplyMsg not yet sent)",
		follower, leader, float64(freed)/1e6, float64(held)/1e6, follower, float64(logs)/1e6, float64(saved)/1e6, leader)
}
