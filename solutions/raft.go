package solutions

import (
	"sync"
	"sync/atomic"
	"time"

	"raftlabs/labrpc"
	"raftlabs/raftapi"
)

// serverState is the role a server plays in its current term (§5.1).
type serverState int

const (
	follower serverState = iota
	candidate
	leader
)

// LogEntry is one slot of the replicated log: the command a client gave to
// Start and the term of the leader that received it (Figure 2, "log[]").
// Its fields are upper-case because the entries travel in AppendEntries and
// are saved by persist, both of which go through gob.
type LogEntry struct {
	Term    int
	Command any
}

// Raft is one server. The fields above currentTerm are set by Make and
// never change, apart from dead; from currentTerm on, every field is
// guarded by mu.
type Raft struct {
	mu        sync.Mutex
	peers     []*labrpc.ClientEnd // RPC endpoints of all servers, this one included
	me        int                 // this server's index into peers
	persister *raftapi.Persister  // stands in for the disk (lab 3)
	applyCh   chan raftapi.ApplyMsg
	dead      atomic.Bool   // set by Kill; read without mu through killed()
	deadCh    chan struct{} // closed by Kill, so that a blocked applyCh send gives up

	// Persistent state on all servers (Figure 2). Each change is saved
	// with persist before this server answers an RPC or sends one that
	// depends on it.
	currentTerm int        // latest term this server has seen
	votedFor    int        // candidate voted for in currentTerm, or -1
	log         []LogEntry // log[0] is a dummy: of term 0 at index 0, or the snapshot's last entry (lab 4)

	// Lab 4: the snapshot (Figure 13). snapshotIndex is the last index it
	// includes, the index of the dummy log[0], whose term is the
	// snapshot's last included term. Both are saved by persist.
	snapshotIndex int
	snapshot      []byte // the service's latest snapshot, to send in InstallSnapshot

	// The log's encoding, kept from one save to the next so that a save
	// encodes only the entries appended since, and the encoder of the
	// numbers saved before it (persist.go).
	encoding logEncoding
	header   headerEncoding

	// Volatile state on all servers (Figure 2).
	commitIndex int // highest index known to be committed
	lastApplied int // highest index handed to the applier

	// Lab 4: a snapshot from the leader that the applier has not yet
	// handed to the service (apply.go).
	snapshotPending bool

	// Volatile state on leaders (Figure 2), reinitialized by becomeLeader.
	nextIndex  []int // per peer: index of the next entry to send it
	matchIndex []int // per peer: highest index known to be replicated on it

	// Not in Figure 2: the bookkeeping that drives the state above.
	state            serverState
	electionDeadline time.Time  // when a follower or candidate starts an election (election.go)
	applyCond        *sync.Cond // wakes the applier when commitIndex moves (replication.go)

	// Per peer, used only while leader (replication.go).
	replicateCond []*sync.Cond // wakes that peer's replicator goroutine
	heartbeatAt   []time.Time  // when the next AppendEntries must go out even if there is nothing new
	inFlight      []bool       // the latest AppendEntries sent to the peer has had no reply (it may be lost)
	sendSeq       []int        // number of the latest AppendEntries sent to the peer; never reset
	commitSent    []int        // LeaderCommit carried by the latest AppendEntries sent to the peer
	answered      []bool       // the latest RPC sent to the peer was answered in this term (lab 4: snapshot.go)
}

// The tests accept *Raft wherever they expect a raftapi.Raft.
var _ raftapi.Raft = (*Raft)(nil)

// Make creates a server. peers[me] is this server's own endpoint. persister
// holds what an earlier incarnation of this server saved, if anything.
// applyCh receives an ApplyMsg for each committed entry, in index order.
// Make returns at once: the election ticker and the applier run in their
// own goroutines.
func Make(peers []*labrpc.ClientEnd, me int,
	persister *raftapi.Persister, applyCh chan raftapi.ApplyMsg) *Raft {
	rf := &Raft{
		peers:     peers,
		me:        me,
		persister: persister,
		applyCh:   applyCh,
		deadCh:    make(chan struct{}),

		votedFor: -1,
		log:      []LogEntry{{Term: 0}}, // the dummy entry at index 0

		state:       follower,
		nextIndex:   make([]int, len(peers)),
		matchIndex:  make([]int, len(peers)),
		heartbeatAt: make([]time.Time, len(peers)),
		inFlight:    make([]bool, len(peers)),
		sendSeq:     make([]int, len(peers)),
		commitSent:  make([]int, len(peers)),
		answered:    make([]bool, len(peers)),
	}
	rf.applyCond = sync.NewCond(&rf.mu)
	rf.replicateCond = make([]*sync.Cond, len(peers))
	for i := range peers {
		rf.replicateCond[i] = sync.NewCond(&rf.mu)
	}

	// Lab 3: come back with the term, vote and log saved before a crash.
	// Lab 4: and with the snapshot. The service restores its state from
	// the snapshot itself at boot, so everything through snapshotIndex is
	// committed and already applied.
	rf.readPersist(persister.ReadRaftState())
	rf.snapshot = persister.ReadSnapshot()
	rf.commitIndex = rf.snapshotIndex
	rf.lastApplied = rf.snapshotIndex

	rf.resetElectionTimer()
	go rf.ticker()
	go rf.applier()
	return rf
}

// GetState returns currentTerm and whether this server believes it is the
// leader.
func (rf *Raft) GetState() (int, bool) {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	return rf.currentTerm, rf.state == leader
}

// Kill stops the server. Goroutines that sleep or wait on a Cond see
// killed() when they wake; Kill wakes those that could wait for a long
// time. RPC goroutines end when their Call returns. After Kill returns,
// persist writes nothing and the applier sends nothing.
func (rf *Raft) Kill() {
	if !rf.dead.CompareAndSwap(false, true) {
		return // already killed
	}
	close(rf.deadCh)

	// Taking mu also waits out a persist that is under way, so no Save
	// can happen after Kill returns.
	rf.mu.Lock()
	defer rf.mu.Unlock()
	rf.applyCond.Broadcast()
	for _, c := range rf.replicateCond {
		c.Broadcast()
	}
}

// killed reports whether Kill has been called. It needs no lock.
func (rf *Raft) killed() bool {
	return rf.dead.Load()
}

// ---------------------------------------------------------------------
// The log, through helpers. Everything else names entries by their Raft
// index and never indexes rf.log directly, so that lab 4, which drops a
// prefix of the log, changes only these functions. Call them with mu held.

// firstIndex is the index of rf.log[0], the dummy entry: 0 until the first
// snapshot, then the last index the snapshot includes, and the dummy
// carries that entry's term.
func (rf *Raft) firstIndex() int {
	return rf.snapshotIndex
}

// lastIndex is the index of the last entry in the log (0 if it is empty).
func (rf *Raft) lastIndex() int {
	return rf.firstIndex() + len(rf.log) - 1
}

// lastTerm is the term of the last entry in the log (0 if it is empty).
func (rf *Raft) lastTerm() int {
	return rf.termAt(rf.lastIndex())
}

// termAt is the term of the entry at index, which must be between
// firstIndex and lastIndex.
func (rf *Raft) termAt(index int) int {
	return rf.entry(index).Term
}

// entry returns the entry at index, which must be between firstIndex and
// lastIndex.
func (rf *Raft) entry(index int) LogEntry {
	return rf.log[index-rf.firstIndex()]
}

// slice returns a copy of the entries from index from through the end of
// the log. It is a copy because the caller sends it in an RPC after
// releasing mu, while the log may be truncated and overwritten.
func (rf *Raft) slice(from int) []LogEntry {
	return append([]LogEntry(nil), rf.log[from-rf.firstIndex():]...)
}

// truncateFrom deletes the entry at index and all that follow it.
func (rf *Raft) truncateFrom(index int) {
	rf.log = rf.log[:index-rf.firstIndex()]
	rf.encoding = logEncoding{} // persist.go: its stream holds the deleted entries
}

// appendEntries adds entries at the end of the log.
func (rf *Raft) appendEntries(entries ...LogEntry) {
	rf.log = append(rf.log, entries...)
}

// compactThrough drops every entry through index, which becomes the dummy
// log[0] with the given term. The entries after index are kept if the log
// has them. They are copied into a new slice: re-slicing rf.log would keep
// the old array, and every dropped entry in it, alive.
func (rf *Raft) compactThrough(index, term int) {
	kept := []LogEntry{{Term: term}}
	if index < rf.lastIndex() {
		kept = append(kept, rf.log[index-rf.firstIndex()+1:]...)
	}
	rf.log = kept
	rf.snapshotIndex = index
}
