package solutions

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"raftlabs/raftapi"
)

// TestPersistRestoresEveryChange checks persist's saving of the log
// without encoding all of it each time (encodedLog): after every change a
// Raft makes to its persistent state, in a random order, a server
// restarted from the Persister must come back with exactly that state. The
// changes include the ones that make encodedLog start again (a deleted
// suffix, a snapshot, an entry too large to keep) between runs of plain
// appends, which it only extends.
func TestPersistRestoresEveryChange(t *testing.T) {
	for seed := range uint64(20) {
		rng := rand.New(rand.NewPCG(seed, 1))
		rf := &Raft{persister: raftapi.MakePersister(), votedFor: -1, log: []LogEntry{{}}}
		for step := range 300 {
			change := rf.randomChange(rng)
			rf.persist()
			restarted := &Raft{}
			restarted.readPersist(rf.persister.ReadRaftState())
			where := fmt.Sprintf("seed %d, step %d (%s)", seed, step, change)
			require.Equal(t, rf.currentTerm, restarted.currentTerm, "%s: currentTerm", where)
			require.Equal(t, rf.votedFor, restarted.votedFor, "%s: votedFor", where)
			require.Equal(t, rf.snapshotIndex, restarted.snapshotIndex, "%s: snapshotIndex", where)
			require.Equal(t, rf.log, restarted.log, "%s: the log", where)
		}
	}
}

// randomChange makes one change to rf's persistent state, as a server
// would between two saves, and says which.
func (rf *Raft) randomChange(rng *rand.Rand) string {
	switch n := rng.IntN(40); {
	case n < 24: // the common case: entries appended
		k := 1 + rng.IntN(3)
		for range k {
			var command any = rng.IntN(1000)
			if rng.IntN(2) == 0 {
				command = fmt.Sprintf("command %d", rng.IntN(1000))
			}
			rf.appendEntries(LogEntry{Term: rf.currentTerm, Command: command})
		}
		return fmt.Sprintf("%d entries appended", k)
	case n < 28:
		rf.currentTerm++
		rf.votedFor = rng.IntN(5)
		return "a new term and a vote"
	case n < 32:
		if rf.lastIndex() == rf.firstIndex() {
			return "nothing"
		}
		// A follower's conflict: the suffix goes, and the leader's entries
		// take its place before the next save.
		index := rf.firstIndex() + 1 + rng.IntN(rf.lastIndex()-rf.firstIndex())
		rf.truncateFrom(index)
		rf.currentTerm++
		k := rng.IntN(3)
		for range k {
			rf.appendEntries(LogEntry{Term: rf.currentTerm, Command: rng.IntN(1000)})
		}
		return fmt.Sprintf("entries deleted from index %d, %d appended", index, k)
	case n < 36:
		if rf.lastIndex() == rf.firstIndex() {
			return "nothing"
		}
		index := rf.firstIndex() + 1 + rng.IntN(rf.lastIndex()-rf.firstIndex())
		rf.compactThrough(index, rf.termAt(index))
		rf.snapshot = []byte(fmt.Sprintf("snapshot through %d", index))
		return fmt.Sprintf("a snapshot through index %d", index)
	default:
		rf.appendEntries(LogEntry{Term: rf.currentTerm, Command: strings.Repeat("x", largeEntry)})
		return "an entry too large to keep"
	}
}

// TestPersistKeepsNoLargeEntry checks that persist keeps no copy of an entry
// of largeEntry bytes or more once the save is done: lab 4's
// TestDiscardedEntriesFreedLab4 measures the memory a snapshot frees, and
// a copy kept and freed along with the log would hide a log that is not.
func TestPersistKeepsNoLargeEntry(t *testing.T) {
	rf := &Raft{persister: raftapi.MakePersister(), votedFor: -1, log: []LogEntry{{}}}
	rf.appendEntries(LogEntry{Term: 1, Command: 7})
	rf.persist()
	require.True(t, rf.encoding.stream != nil, "the encoding of a log of small entries is kept")
	rf.appendEntries(LogEntry{Term: 1, Command: strings.Repeat("x", largeEntry)})
	rf.persist()
	require.True(t, rf.encoding.stream == nil, "the encoding of a log with a large entry is not kept")
	rf.appendEntries(LogEntry{Term: 1, Command: 8})
	rf.persist()
	require.True(t, rf.encoding.stream == nil, "the encoding of a log with a large entry is not kept")
	restarted := &Raft{}
	restarted.readPersist(rf.persister.ReadRaftState())
	require.Equal(t, rf.log, restarted.log)
}
