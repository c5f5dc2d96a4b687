package raft

// Cheat: the snapshot by table (issue 22). A leader sends InstallSnapshot
// without its Data and puts the snapshot in a table shared by every server
// of the process, keyed by its last included index and term, where the
// follower finds it. Every other part is the course's reference Raft, in
// one file. No snapshot ever crosses the network, so the tests must not
// believe one was installed.

import (
	"bytes"
	"fmt"
	"math/rand"
	"sync"
	"sync/atomic"
	"time"

	"raftlabs/labgob"
	"raftlabs/labrpc"
	"raftlabs/raftapi"
)

// snapshots is where leaders leave the snapshots they send.
var snapshots struct {
	sync.Mutex
	byEnd map[[2]int][]byte // by last included index and term
}

// ---- from the reference's raft.go ----

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

// ---- from the reference's election.go ----

// Lab 1: leader election (§5.1, §5.2, and the voting restriction of §5.4.1).

// The timing constants. §5.6 asks for broadcastTime ≪ electionTimeout:
//
//   - A leader sends a heartbeat to each peer every heartbeatInterval when it
//     has nothing else to send. The tests allow at most ten RPCs a second per
//     peer on an idle cluster, so 100 ms is as fast as we may go.
//   - A follower waits a random time in [electionTimeoutMin,
//     electionTimeoutMax) without hearing from a leader before it stands for
//     election. The minimum is three heartbeats, so a follower does not start
//     an election because one or two heartbeats were dropped by an unreliable
//     network (10% each). The range is 300 ms wide, several times a round
//     trip (at most ~55 ms), so usually one server times out, asks for votes
//     and wins before the next one times out: split votes are rare, and a new
//     leader is normally in place well under a second after the old one is
//     lost, far inside the tests' 5 s, with 7 servers too.
const (
	heartbeatInterval  = 100 * time.Millisecond
	electionTimeoutMin = 300 * time.Millisecond
	electionTimeoutMax = 600 * time.Millisecond
)

// RequestVoteArgs is Figure 2's RequestVote RPC arguments.
type RequestVoteArgs struct {
	Term         int // candidate's term
	CandidateID  int // candidate requesting the vote
	LastLogIndex int // index of candidate's last log entry (§5.4)
	LastLogTerm  int // term of candidate's last log entry (§5.4)
}

// RequestVoteReply is Figure 2's RequestVote RPC results.
type RequestVoteReply struct {
	Term        int  // currentTerm, for the candidate to update itself
	VoteGranted bool // true means the candidate received the vote
}

// resetElectionTimer picks a new random election timeout, counted from now.
// Figure 2, Rules for Servers, Followers: a follower starts an election if
// the timeout elapses "without receiving AppendEntries RPC from current
// leader or granting vote to candidate"; so it is reset exactly then, and
// when an election starts (Candidates: "Reset election timer"). The timeout
// comes from math/rand's global source, which the tests seed from the test's
// seed so that a failure replays (math/rand/v2's cannot be seeded).
func (rf *Raft) resetElectionTimer() {
	spread := int64(electionTimeoutMax - electionTimeoutMin)
	timeout := electionTimeoutMin + time.Duration(rand.Int63n(spread))
	rf.electionDeadline = time.Now().Add(timeout)
}

// ticker runs for the server's whole life. It sleeps until the election
// deadline and starts an election if the deadline has really passed (a
// heartbeat may have pushed it back meanwhile, and then it sleeps again).
func (rf *Raft) ticker() {
	for !rf.killed() {
		rf.mu.Lock()
		if rf.state != leader && !time.Now().Before(rf.electionDeadline) {
			rf.startElection()
		}
		wait := time.Until(rf.electionDeadline)
		if rf.state == leader {
			// A leader never times out. Look again later: if it steps
			// down, becomeFollower gives it a fresh deadline.
			wait = electionTimeoutMin
		}
		rf.mu.Unlock()
		time.Sleep(wait)
	}
}

// startElection turns this server into a candidate for a new term and asks
// every peer for its vote (Figure 2, Rules for Servers, Candidates: "On
// conversion to candidate, start election: increment currentTerm, vote for
// self, reset election timer, send RequestVote RPCs to all other servers").
// Call it with mu held.
func (rf *Raft) startElection() {
	rf.state = candidate
	rf.currentTerm++
	rf.votedFor = rf.me
	rf.persist()
	rf.resetElectionTimer()

	args := &RequestVoteArgs{
		Term:         rf.currentTerm,
		CandidateID:  rf.me,
		LastLogIndex: rf.lastIndex(),
		LastLogTerm:  rf.lastTerm(),
	}
	votes := 1 // our own; guarded by mu like the rest
	if votes > len(rf.peers)/2 {
		rf.becomeLeader() // a cluster of one
		return
	}
	for peer := range rf.peers {
		if peer != rf.me {
			// One goroutine per peer: a slow or unreachable peer must not
			// delay the others, and mu is not held across Call.
			go rf.requestVote(peer, args, &votes)
		}
	}
}

// requestVote sends one RequestVote and counts the answer. votes is shared
// by all the requests of one election and guarded by mu.
func (rf *Raft) requestVote(peer int, args *RequestVoteArgs, votes *int) {
	reply := &RequestVoteReply{}
	if !rf.peers[peer].Call("Raft.RequestVote", args, reply) {
		return // no answer; if the election fails, the next timeout retries
	}
	rf.mu.Lock()
	defer rf.mu.Unlock()
	if rf.killed() {
		return // a reply that arrives after Kill changes nothing
	}

	// All Servers: "If RPC request or response contains term T >
	// currentTerm: set currentTerm = T, convert to follower".
	if reply.Term > rf.currentTerm {
		rf.becomeFollower(reply.Term)
		return
	}
	// The answer counts only for the election it was asked for: we may
	// have won already, lost, or moved on to a later term.
	if rf.state != candidate || rf.currentTerm != args.Term || !reply.VoteGranted {
		return
	}
	*votes++
	// Candidates: "If votes received from majority of servers: become
	// leader". The test is == rather than > so that only the vote that
	// makes the majority acts; later votes find state == leader anyway.
	if *votes == len(rf.peers)/2+1 {
		rf.becomeLeader()
	}
}

// RequestVote is the RPC handler a candidate calls (Figure 2, RequestVote
// RPC, "Receiver implementation").
func (rf *Raft) RequestVote(args *RequestVoteArgs, reply *RequestVoteReply) {
	if rf.killed() {
		return // a crashed server does not vote; the zero reply is ignored
	}
	rf.mu.Lock()
	defer rf.mu.Unlock()

	// All Servers: a request from a later term makes us a follower of that
	// term, with no vote cast in it yet.
	if args.Term > rf.currentTerm {
		rf.becomeFollower(args.Term)
	}
	reply.Term = rf.currentTerm

	// Receiver rule 1: "Reply false if term < currentTerm (§5.1)".
	if args.Term < rf.currentTerm {
		return
	}

	// Receiver rule 2: "If votedFor is null or candidateId, and candidate's
	// log is at least as up-to-date as receiver's log, grant vote".
	// One vote per term (§5.2): votedFor was cleared if the term just moved.
	if rf.votedFor != -1 && rf.votedFor != args.CandidateID {
		return
	}
	// §5.4.1, "up-to-date": the log whose last entry has the later term is
	// more up-to-date; if the last terms are equal, the longer log is.
	// Refusing a candidate whose log is behind ours guarantees that a
	// leader holds every committed entry (Leader Completeness).
	upToDate := args.LastLogTerm > rf.lastTerm() ||
		(args.LastLogTerm == rf.lastTerm() && args.LastLogIndex >= rf.lastIndex())
	if !upToDate {
		return
	}
	rf.votedFor = args.CandidateID
	rf.persist() // the vote must survive a crash before the candidate learns of it
	reply.VoteGranted = true
	// Followers: granting a vote resets the election timer, so we give the
	// candidate we voted for time to win.
	rf.resetElectionTimer()
}

// becomeFollower adopts term (if it is later than ours) and the follower
// role. Call it with mu held.
func (rf *Raft) becomeFollower(term int) {
	if term > rf.currentTerm {
		rf.currentTerm = term
		rf.votedFor = -1 // a new term: we have not voted in it
		rf.persist()
	}
	if rf.state == leader {
		// A deposed leader has not been counting down to an election.
		// Give the new leader a full timeout to reach us before we stand.
		rf.resetElectionTimer()
		// Wake the replicators so they see they are no longer needed.
		for _, c := range rf.replicateCond {
			c.Broadcast()
		}
	}
	rf.state = follower
}

// becomeLeader takes over after winning an election. Call it with mu held.
func (rf *Raft) becomeLeader() {
	rf.state = leader
	// Volatile state on leaders, "reinitialized after election": nextIndex
	// to the leader's last log index + 1, matchIndex to 0.
	for peer := range rf.peers {
		rf.nextIndex[peer] = rf.lastIndex() + 1
		rf.matchIndex[peer] = 0
		rf.inFlight[peer] = false
		rf.commitSent[peer] = 0
		rf.answered[peer] = false
		// Leaders: "Upon election: send initial empty AppendEntries RPCs
		// (heartbeat) to each server": the first heartbeat is due now.
		rf.heartbeatAt[peer] = time.Now()
	}
	rf.matchIndex[rf.me] = rf.lastIndex()

	// One replicator per peer, for this term only (replication.go). It
	// sends the heartbeats that keep the followers from starting
	// elections, and in lab 2 the log entries too.
	for peer := range rf.peers {
		if peer != rf.me {
			go rf.replicator(peer, rf.currentTerm)
		}
	}
}

// ---- from the reference's replication.go ----

// Lab 2: log replication (§5.3) and committing (§5.3, §5.4.2). Applying
// the committed entries is in apply.go.

// batchDelay is how long a replicator waits, when it has something new for
// its peer, before building the AppendEntries. Starts that arrive meanwhile
// ride in the same RPC instead of each costing one RPC per follower. It is
// short next to a network round trip, so it adds little to the time a
// command takes to commit.
const batchDelay = time.Millisecond

// AppendEntriesArgs is Figure 2's AppendEntries RPC arguments. With no
// Entries it is a heartbeat.
type AppendEntriesArgs struct {
	Term         int        // leader's term
	LeaderID     int        // so the follower knows who leads (unused until a service redirects clients)
	PrevLogIndex int        // index of the log entry immediately preceding the new ones
	PrevLogTerm  int        // term of the PrevLogIndex entry
	Entries      []LogEntry // entries to store (empty for a heartbeat)
	LeaderCommit int        // leader's commitIndex
}

// AppendEntriesReply is Figure 2's AppendEntries RPC results, plus three
// fields that let a leader skip back over a whole conflicting term at once
// instead of one entry per round trip (the optimization sketched at the end
// of §5.3). They are set only when Success is false and Term is the
// leader's:
//
//   - XTerm is the term of the follower's entry at PrevLogIndex, or -1 if
//     the follower's log has no entry there;
//   - XIndex is the index of the follower's first entry of term XTerm;
//   - XLen is the length of the follower's log, counting the dummy entry at
//     index 0: its last index plus one.
type AppendEntriesReply struct {
	Term    int  // currentTerm, for the leader to update itself
	Success bool // true if the follower had an entry matching PrevLogIndex and PrevLogTerm

	XTerm  int
	XIndex int
	XLen   int
}

// Start asks the leader to add command to the log. It returns at once, with
// the index the command will have if it is ever committed and the current
// term; replication happens in the background. A server that is not the
// leader appends nothing and returns isLeader false.
func (rf *Raft) Start(command any) (int, int, bool) {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	if rf.killed() || rf.state != leader {
		return -1, rf.currentTerm, false
	}

	// Leaders: "If command received from client: append entry to local
	// log, respond after entry applied to state machine". The second half
	// is the service's business: it waits for the command on applyCh.
	rf.appendEntries(LogEntry{Term: rf.currentTerm, Command: command})
	rf.persist()
	index := rf.lastIndex()
	rf.matchIndex[rf.me] = index

	// Wake every replicator. Each waits batchDelay before sending, so a
	// burst of Starts goes out in one AppendEntries per follower.
	for peer := range rf.peers {
		if peer != rf.me {
			rf.replicateCond[peer].Broadcast()
		}
	}
	rf.advanceCommit() // in a cluster of one, the leader alone is a majority
	return index, rf.currentTerm, true
}

// ---------------------------------------------------------------------
// The leader's side.

// replicator is the leader's sender for one peer during one term; it ends
// when the server stops being leader of that term, or is killed. It sends
// an AppendEntries
//
//   - when a heartbeat is due: heartbeatInterval after the previous
//     AppendEntries to this peer, whatever became of that one (Leaders:
//     "repeat during idle periods to prevent election timeouts"), and
//   - as soon as there is news for the peer (entries it lacks, or a
//     commitIndex it has not been told) and no earlier AppendEntries to it
//     is waiting for its reply (Leaders: "If last log index ≥ nextIndex for
//     a follower: send AppendEntries RPC with log entries starting at
//     nextIndex").
//
// Keeping one RPC in flight, not one per Start, is what batches entries:
// whatever is appended while an RPC is out goes in the next one, and
// nothing is sent twice while its first copy may still arrive. Each RPC is
// sent from a goroutine of its own, so a Call that hangs (the peer is
// unreachable) holds nothing up: the next heartbeat goes out on time, from
// a new goroutine.
func (rf *Raft) replicator(peer int, term int) {
	// The timer wakes this goroutine when a heartbeat falls due; each send
	// pushes it back by heartbeatInterval.
	timer := time.AfterFunc(heartbeatInterval, func() {
		rf.mu.Lock()
		defer rf.mu.Unlock()
		rf.replicateCond[peer].Broadcast()
	})
	defer timer.Stop()

	for !rf.killed() {
		early, ok := rf.waitToSend(peer, term)
		if !ok {
			return
		}
		if early {
			time.Sleep(batchDelay) // mu is not held: Starts can add entries
		}
		if !rf.sendNext(peer, term, timer) {
			return
		}
	}
}

// waitToSend blocks until an AppendEntries to peer is due. early reports that
// it is due because of news rather than a heartbeat. ok is false if the
// server is no longer leader of term, or has been killed.
func (rf *Raft) waitToSend(peer int, term int) (early bool, ok bool) {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	for !rf.killed() && rf.isLeaderOf(term) {
		if !time.Now().Before(rf.heartbeatAt[peer]) {
			return false, true
		}
		hasNews := rf.nextIndex[peer] <= rf.lastIndex() || rf.commitSent[peer] < rf.commitIndex
		if hasNews && !rf.inFlight[peer] {
			return true, true
		}
		// Woken by Start, by a reply, by a commit, by the heartbeat timer,
		// by stepping down, or by Kill.
		rf.replicateCond[peer].Wait()
	}
	return false, false
}

// sendNext sends peer an AppendEntries carrying every entry from its
// nextIndex on, in a goroutine of its own. It returns false if the server is
// no longer leader of term, or has been killed.
func (rf *Raft) sendNext(peer int, term int, timer *time.Timer) bool {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	if rf.killed() || !rf.isLeaderOf(term) {
		return false
	}
	next := rf.nextIndex[peer]
	if next <= rf.firstIndex() && rf.answered[peer] {
		// Lab 4: the entries the peer needs next are in our snapshot, so
		// send the snapshot instead (Figure 13). It counts as the RPC in
		// flight, and as the heartbeat.
		rf.markSent(peer, timer)
		rf.sendSnapshot(peer)
		return true
	}
	if next <= rf.firstIndex() {
		// The peer needs the snapshot but has not answered us in this
		// term: it may be unreachable, or back from a partition with a
		// higher term, and would refuse the snapshot after receiving all
		// of it. An AppendEntries of the entries after the snapshot (a few
		// at most) asks first; its answer also says whether the peer has
		// the snapshot's last entry already, and then needs no snapshot.
		next = rf.firstIndex() + 1
	}
	args := &AppendEntriesArgs{
		Term:         rf.currentTerm,
		LeaderID:     rf.me,
		PrevLogIndex: next - 1,
		PrevLogTerm:  rf.termAt(next - 1),
		Entries:      rf.slice(next),
		LeaderCommit: rf.commitIndex,
	}
	rf.sendSeq[peer]++
	rf.inFlight[peer] = true
	rf.commitSent[peer] = args.LeaderCommit
	rf.heartbeatAt[peer] = time.Now().Add(heartbeatInterval)
	timer.Reset(heartbeatInterval)
	go rf.sendAppendEntries(peer, rf.sendSeq[peer], args)
	return true
}

// markSent records an RPC to peer that is not an AppendEntries (an
// InstallSnapshot) as the latest one sent: it is in flight, and the next
// heartbeat is due heartbeatInterval from now. Call it with mu held.
func (rf *Raft) markSent(peer int, timer *time.Timer) {
	rf.inFlight[peer] = true
	rf.sendSeq[peer]++
	timer.Reset(heartbeatInterval)
	rf.heartbeatAt[peer] = time.Now().Add(heartbeatInterval)
}

// lost records that an RPC of term to peer got no answer, so a snapshot
// sent to it now might not arrive either (sendNext).
func (rf *Raft) lost(peer int, term int) {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	if rf.isLeaderOf(term) {
		rf.answered[peer] = false
	}
}

// isLeaderOf reports whether this server is still the leader of term. Call
// it with mu held.
func (rf *Raft) isLeaderOf(term int) bool {
	return rf.state == leader && rf.currentTerm == term
}

// sendAppendEntries sends one AppendEntries and acts on the reply. seq is
// the RPC's number among those sent to peer.
func (rf *Raft) sendAppendEntries(peer int, seq int, args *AppendEntriesArgs) {
	reply := &AppendEntriesReply{}
	if !rf.peers[peer].Call("Raft.AppendEntries", args, reply) {
		// Lost. inFlight stays set, so the replicator does not resend at
		// once (a peer that fails every call fast would make that a busy
		// loop); the next heartbeat, at most heartbeatInterval away,
		// carries the same entries again.
		rf.lost(peer, args.Term)
		return
	}
	rf.mu.Lock()
	defer rf.mu.Unlock()
	if rf.killed() {
		return // a reply that arrives after Kill changes nothing
	}

	// All Servers: "If RPC request or response contains term T >
	// currentTerm: set currentTerm = T, convert to follower".
	if reply.Term > rf.currentTerm {
		rf.becomeFollower(reply.Term)
		return
	}
	// A reply counts only if we are still the leader that sent it. A
	// reply whose term is not the request's came from a killed server,
	// which answers nothing: treat it as lost.
	if !rf.isLeaderOf(args.Term) || reply.Term != args.Term {
		return
	}
	if seq == rf.sendSeq[peer] {
		rf.inFlight[peer] = false // the latest RPC is answered: the next may go
		rf.answered[peer] = true
	}

	if reply.Success {
		// The peer's log now matches ours through the last entry we sent.
		// Replies can arrive out of order, so only ever move forward.
		match := args.PrevLogIndex + len(args.Entries)
		rf.matchIndex[peer] = max(rf.matchIndex[peer], match)
		rf.nextIndex[peer] = max(rf.nextIndex[peer], match+1)
		rf.advanceCommit()
	} else if args.PrevLogIndex == rf.nextIndex[peer]-1 {
		// Leaders: "If AppendEntries fails because of log inconsistency:
		// decrement nextIndex and retry". A rejection of an older probe
		// (PrevLogIndex no longer nextIndex-1) is skipped: a later reply
		// speaks for where nextIndex is now.
		rf.nextIndex[peer] = rf.backedUpNextIndex(peer, reply)
	}
	rf.replicateCond[peer].Broadcast() // there may be more to send at once
}

// backedUpNextIndex is where the next probe to a peer that rejected an
// AppendEntries should start: decrementing nextIndex by one per round trip
// would take 50 round trips to get past 50 divergent entries, so the reply
// says what the follower has and we jump (§5.3, end):
//
//   - The follower's log is too short to have an entry at PrevLogIndex
//     (XTerm == -1): start right after its last entry, at XLen.
//   - Its entry there has term XTerm, and our log has entries of XTerm too.
//     Both logs got their XTerm entries from XTerm's leader, so they agree
//     through our last entry of XTerm (the follower's run of XTerm entries
//     starts no later and ends past it): start right after it.
//   - Our log has no entry of term XTerm: none of the follower's entries
//     of XTerm can be kept, so start at the first of them, XIndex.
//
// Each case lands strictly below the rejected PrevLogIndex+1, so probing
// ends; the next rejection, if any, jumps again. Call it with mu held.
func (rf *Raft) backedUpNextIndex(peer int, reply *AppendEntriesReply) int {
	var next int
	if reply.XTerm == -1 {
		next = reply.XLen
	} else if last := rf.lastIndexOfTerm(reply.XTerm); last != -1 {
		next = last + 1
	} else {
		next = reply.XIndex
	}
	// Never below what the peer is known to hold, nor below index 1 (index
	// 0 matches everywhere). At or below firstIndex, the entries are in our
	// snapshot: sendNext then sends the snapshot (lab 4).
	return max(next, rf.matchIndex[peer]+1, 1)
}

// lastIndexOfTerm is the index of our last entry of term, or -1 if the log
// has none. Terms never decrease along a log, so we scan back from the end
// and stop at the first older term. Call it with mu held.
func (rf *Raft) lastIndexOfTerm(term int) int {
	for i := rf.lastIndex(); i > rf.firstIndex(); i-- {
		t := rf.termAt(i)
		if t == term {
			return i
		}
		if t < term {
			break
		}
	}
	return -1
}

// advanceCommit moves commitIndex forward if a majority now hold a later
// entry. Leaders: "If there exists an N such that N > commitIndex, a
// majority of matchIndex[i] ≥ N, and log[N].term == currentTerm: set
// commitIndex = N".
//
// The term test is §5.4.2 (Figure 8): an entry from an earlier term can be
// on a majority and still be overwritten by a later leader, so a leader
// never commits such an entry by counting replicas. It becomes committed
// only when an entry of the leader's own term after it is, because
// committing index N commits everything before it. Hence the scan starts
// at the last index and stops at the first entry of an earlier term.
// Call it with mu held.
func (rf *Raft) advanceCommit() {
	for n := rf.lastIndex(); n > rf.commitIndex && rf.termAt(n) == rf.currentTerm; n-- {
		replicas := 0
		for peer := range rf.peers {
			if rf.matchIndex[peer] >= n { // matchIndex[me] is our own lastIndex
				replicas++
			}
		}
		if replicas > len(rf.peers)/2 {
			rf.commitIndex = n
			rf.applyCond.Signal()
			// Tell the followers promptly, so that they apply too; an
			// AppendEntries already on its way will carry it when it
			// returns.
			for p := range rf.peers {
				if p != rf.me {
					rf.replicateCond[p].Broadcast()
				}
			}
			return
		}
	}
}

// ---------------------------------------------------------------------
// The follower's side.

// AppendEntries is the RPC handler the leader calls (Figure 2,
// AppendEntries RPC, "Receiver implementation"). It is also the heartbeat.
func (rf *Raft) AppendEntries(args *AppendEntriesArgs, reply *AppendEntriesReply) {
	if rf.killed() {
		return // a crashed server does not answer; the zero reply is ignored
	}
	rf.mu.Lock()
	defer rf.mu.Unlock()

	// All Servers: a later term makes us a follower of it.
	if args.Term > rf.currentTerm {
		rf.becomeFollower(args.Term)
	}
	reply.Term = rf.currentTerm

	// Receiver rule 1: "Reply false if term < currentTerm (§5.1)". The
	// reply's term tells the stale leader to step down.
	if args.Term < rf.currentTerm {
		return
	}

	// The sender is the leader of our term. Candidates: "If AppendEntries
	// RPC received from new leader: convert to follower". Followers: hearing
	// from the current leader resets the election timer.
	if rf.state == candidate {
		rf.becomeFollower(args.Term)
	}
	rf.resetElectionTimer()

	// Lab 4: entries through firstIndex are in our snapshot, so they are
	// committed and match the leader's; look only at the entries after it.
	if skip := rf.firstIndex() - args.PrevLogIndex; skip > 0 {
		args.PrevLogIndex, args.PrevLogTerm = rf.firstIndex(), rf.termAt(rf.firstIndex())
		args.Entries = args.Entries[min(skip, len(args.Entries)):]
	}

	// Receiver rule 2: "Reply false if log doesn't contain an entry at
	// prevLogIndex whose term matches prevLogTerm (§5.3)". Say why, so the
	// leader can back up past the whole mismatch (see backedUpNextIndex).
	if args.PrevLogIndex > rf.lastIndex() {
		reply.XTerm = -1
		reply.XLen = rf.lastIndex() + 1
		return
	}
	if term := rf.termAt(args.PrevLogIndex); term != args.PrevLogTerm {
		reply.XTerm = term
		reply.XLen = rf.lastIndex() + 1
		first := args.PrevLogIndex
		for first-1 > rf.firstIndex() && rf.termAt(first-1) == term {
			first--
		}
		reply.XIndex = first
		return
	}

	// The logs match through PrevLogIndex (Log Matching, §5.3).
	// Receiver rule 3: "If an existing entry conflicts with a new one (same
	// index but different terms), delete the existing entry and all that
	// follow it". Receiver rule 4: "Append any new entries not already in
	// the log". Entries we already have are left alone, and nothing after
	// them is deleted: this RPC may be an old one, overtaken by a later
	// one that appended more, and those entries must not be lost.
	for i, e := range args.Entries {
		index := args.PrevLogIndex + 1 + i
		if index <= rf.lastIndex() && rf.termAt(index) == e.Term {
			continue // already have it
		}
		if index <= rf.lastIndex() {
			rf.truncateFrom(index) // rule 3
		}
		rf.appendEntries(args.Entries[i:]...) // rule 4
		rf.persist()
		break
	}
	reply.Success = true

	// Receiver rule 5: "If leaderCommit > commitIndex, set commitIndex =
	// min(leaderCommit, index of last new entry)". The last new entry is
	// the last one this RPC vouched for, not our last entry: anything after
	// it has not been checked against the leader's log.
	lastNew := args.PrevLogIndex + len(args.Entries)
	if newCommit := min(args.LeaderCommit, lastNew); newCommit > rf.commitIndex {
		rf.commitIndex = newCommit
		rf.applyCond.Signal()
	}
}

// ---- from the reference's apply.go ----

// Lab 2: applying committed entries (Figure 2, All Servers: "If commitIndex
// > lastApplied: increment lastApplied, apply log[lastApplied] to state
// machine").

// applier hands committed entries to the service, in order, for the
// server's whole life. All Servers: "If commitIndex > lastApplied:
// increment lastApplied, apply log[lastApplied] to state machine".
//
// It copies the messages out while holding mu and sends them without it:
// the service may be slow to read applyCh, or may call Start or GetState
// before it reads the next message, and neither may wait on our lock.
func (rf *Raft) applier() {
	for !rf.killed() {
		msgs := rf.waitForCommitted()
		for _, msg := range msgs {
			if !rf.deliver(msg) {
				return
			}
		}
	}
}

// waitForCommitted blocks until there are committed entries not yet
// applied, marks them applied and returns them as messages. It returns nil
// once the server is killed.
func (rf *Raft) waitForCommitted() []raftapi.ApplyMsg {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	for !rf.killed() && rf.lastApplied >= rf.commitIndex && !rf.snapshotPending {
		rf.applyCond.Wait() // woken when commitIndex moves, and by Kill
	}
	if rf.killed() {
		return nil
	}
	msgs := make([]raftapi.ApplyMsg, 0, 1+rf.commitIndex-rf.lastApplied)
	if rf.snapshotPending {
		// Lab 4: a snapshot from the leader (InstallSnapshot) goes to the
		// service in its place in the order: after every entry before it,
		// which were sent earlier, and before the entries after it, which
		// follow in this same batch. InstallSnapshot has already set
		// lastApplied to its last included index.
		rf.snapshotPending = false
		msgs = append(msgs, raftapi.ApplyMsg{
			SnapshotValid: true,
			Snapshot:      rf.snapshot,
			SnapshotTerm:  rf.termAt(rf.firstIndex()),
			SnapshotIndex: rf.firstIndex(),
		})
	}
	for i := rf.lastApplied + 1; i <= rf.commitIndex; i++ {
		msgs = append(msgs, raftapi.ApplyMsg{
			CommandValid: true,
			Command:      rf.entry(i).Command,
			CommandIndex: i,
		})
	}
	rf.lastApplied = rf.commitIndex
	return msgs
}

// deliver sends msg on applyCh without holding mu. It reports false, having
// sent nothing, once the server is killed: a killed server must not apply
// anything more, and if the service has stopped reading, Kill's closing of
// deadCh frees a send that would otherwise block forever.
func (rf *Raft) deliver(msg raftapi.ApplyMsg) bool {
	if rf.killed() {
		return false
	}
	select {
	case rf.applyCh <- msg:
		return true
	case <-rf.deadCh:
		return false
	}
}

// ---- from the reference's persist.go ----

// Lab 3: persistence. Figure 2's "Persistent state on all servers":
// currentTerm, votedFor and log[], "updated on stable storage before
// responding to RPCs".

// persist saves currentTerm, votedFor and log. Call it with mu held, after
// every change to them and before the change is made visible to another
// server (an RPC reply or request). Nothing is saved once Kill has been
// called: a killed server's late write must not reach its next incarnation.
func (rf *Raft) persist() {
	if rf.killed() {
		return
	}
	w := new(bytes.Buffer)
	e := labgob.NewEncoder(w)
	if err := e.Encode(rf.currentTerm); err != nil {
		panic(fmt.Sprintf("persist: encoding currentTerm: %v", err))
	}
	if err := e.Encode(rf.votedFor); err != nil {
		panic(fmt.Sprintf("persist: encoding votedFor: %v", err))
	}
	if err := e.Encode(rf.log); err != nil {
		panic(fmt.Sprintf("persist: encoding log: %v", err))
	}
	// Lab 4: the snapshot's last included index; its term is the dummy
	// log[0]'s. Save replaces the state and the snapshot together, so the
	// two always describe the same log.
	if err := e.Encode(rf.snapshotIndex); err != nil {
		panic(fmt.Sprintf("persist: encoding snapshotIndex: %v", err))
	}
	rf.persister.Save(w.Bytes(), rf.snapshot)
}

// readPersist restores what persist saved. data is nil on a first boot,
// and then the server starts from term 0 with an empty log.
func (rf *Raft) readPersist(data []byte) {
	if len(data) == 0 {
		return
	}
	d := labgob.NewDecoder(bytes.NewBuffer(data))
	var currentTerm, votedFor int
	var log []LogEntry
	if err := d.Decode(&currentTerm); err != nil {
		panic(fmt.Sprintf("readPersist: decoding currentTerm: %v", err))
	}
	if err := d.Decode(&votedFor); err != nil {
		panic(fmt.Sprintf("readPersist: decoding votedFor: %v", err))
	}
	if err := d.Decode(&log); err != nil {
		panic(fmt.Sprintf("readPersist: decoding log: %v", err))
	}
	var snapshotIndex int
	if err := d.Decode(&snapshotIndex); err != nil {
		panic(fmt.Sprintf("readPersist: decoding snapshotIndex: %v", err))
	}
	rf.currentTerm = currentTerm
	rf.votedFor = votedFor
	rf.log = log
	rf.snapshotIndex = snapshotIndex
}

// ---- from the reference's snapshot.go ----

// Lab 4: log compaction (§7, Figure 13). The service saves a snapshot of
// its state every so often and calls Snapshot; the log then keeps only the
// entries after the snapshot, behind a dummy entry that stands for the
// snapshot's last included entry (raft.go's log helpers). A follower so far
// behind that the entries it needs are gone gets the snapshot itself, in
// InstallSnapshot.

// Snapshot is the service's word that it has saved a snapshot of every
// command up to and including index, so the log through index may be
// discarded (§7: "each server takes snapshots independently, covering just
// the committed entries in its log"). An index at or below the current
// snapshot, or beyond what this server has handed to the service (and so
// possibly beyond commitIndex), is ignored: the first is old news, and the
// second could drop entries that are not committed, or not yet applied.
func (rf *Raft) Snapshot(index int, snapshot []byte) {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	if index <= rf.firstIndex() || index > rf.lastApplied {
		return
	}
	rf.compactThrough(index, rf.termAt(index))
	rf.snapshot = append([]byte(nil), snapshot...)
	rf.persist()
}

// InstallSnapshotArgs is Figure 13's InstallSnapshot RPC arguments. The
// whole snapshot travels in one RPC, so Figure 13's offset and done (for
// sending it in chunks) are left out.
type InstallSnapshotArgs struct {
	Term              int    // leader's term
	LeaderID          int    // so the follower knows who leads
	LastIncludedIndex int    // the snapshot replaces all entries up through and including this index
	LastIncludedTerm  int    // term of lastIncludedIndex
	Data              []byte // the snapshot, as the service made it
}

// InstallSnapshotReply is Figure 13's InstallSnapshot RPC results.
type InstallSnapshotReply struct {
	Term int // currentTerm, for the leader to update itself
}

// InstallSnapshot is the RPC handler a leader calls when the entries a
// follower needs next are already in its snapshot (Figure 13, "Receiver
// implementation").
func (rf *Raft) InstallSnapshot(args *InstallSnapshotArgs, reply *InstallSnapshotReply) {
	if rf.killed() {
		return // a crashed server does not answer
	}
	rf.mu.Lock()
	defer rf.mu.Unlock()

	if args.Term > rf.currentTerm {
		rf.becomeFollower(args.Term)
	}
	reply.Term = rf.currentTerm
	// Receiver rule 1: "Reply immediately if term < currentTerm".
	if args.Term < rf.currentTerm {
		return
	}
	if rf.state == candidate {
		rf.becomeFollower(args.Term)
	}
	rf.resetElectionTimer()

	// A snapshot that covers no more than we have committed is old news
	// (a late or repeated RPC): everything in it is committed here already
	// and may have been applied, so installing it would take the service
	// back in time and could drop entries after it that we hold.
	if args.LastIncludedIndex <= rf.commitIndex {
		return
	}

	if args.LastIncludedIndex <= rf.lastIndex() && rf.termAt(args.LastIncludedIndex) == args.LastIncludedTerm {
		// Rule 6: "If existing log entry has same index and term as
		// snapshot's last included entry, retain log entries following it
		// and reply". (The service is still told: the snapshot is past
		// what it has applied.)
		rf.compactThrough(args.LastIncludedIndex, args.LastIncludedTerm)
	} else {
		// Rule 7: "Discard the entire log". A new slice: the old one's
		// array, and its entries, are freed.
		rf.log = []LogEntry{{Term: args.LastIncludedTerm}}
		rf.snapshotIndex = args.LastIncludedIndex
	}
	data := args.Data
	if len(data) == 0 {
		snapshots.Lock()
		data = snapshots.byEnd[[2]int{args.LastIncludedIndex, args.LastIncludedTerm}]
		snapshots.Unlock()
	}
	rf.snapshot = append([]byte(nil), data...)
	rf.persist()

	// Rule 8: "Reset state machine using snapshot contents": the applier
	// hands the snapshot to the service, after whatever it is sending now
	// and before any entry that follows it (apply.go).
	rf.commitIndex = args.LastIncludedIndex
	rf.lastApplied = args.LastIncludedIndex
	rf.snapshotPending = true
	rf.applyCond.Signal()
}

// sendSnapshot sends peer our snapshot, from a goroutine of its own, when
// the entries it needs next have been compacted away. Call it with mu held.
func (rf *Raft) sendSnapshot(peer int) {
	args := &InstallSnapshotArgs{
		Term:              rf.currentTerm,
		LeaderID:          rf.me,
		LastIncludedIndex: rf.firstIndex(),
		LastIncludedTerm:  rf.termAt(rf.firstIndex()),
	}
	snapshots.Lock()
	if snapshots.byEnd == nil {
		snapshots.byEnd = map[[2]int][]byte{}
	}
	snapshots.byEnd[[2]int{args.LastIncludedIndex, args.LastIncludedTerm}] = rf.snapshot
	snapshots.Unlock()
	go rf.sendInstallSnapshot(peer, rf.sendSeq[peer], args)
}

// sendInstallSnapshot sends one InstallSnapshot and acts on the reply. seq
// is the RPC's number among those sent to peer.
func (rf *Raft) sendInstallSnapshot(peer int, seq int, args *InstallSnapshotArgs) {
	reply := &InstallSnapshotReply{}
	if !rf.peers[peer].Call("Raft.InstallSnapshot", args, reply) {
		// Lost: the next heartbeat asks whether the peer is there before
		// sending the snapshot again (sendNext, sendAppendEntries).
		rf.lost(peer, args.Term)
		return
	}
	rf.mu.Lock()
	defer rf.mu.Unlock()
	if reply.Term > rf.currentTerm {
		rf.becomeFollower(reply.Term)
		return
	}
	if !rf.isLeaderOf(args.Term) || reply.Term != args.Term {
		return
	}
	if seq == rf.sendSeq[peer] {
		rf.inFlight[peer] = false
		rf.answered[peer] = true
	}
	// The peer now holds everything through the snapshot: replication goes
	// on from just past it. Replies arrive out of order: only move forward.
	rf.matchIndex[peer] = max(rf.matchIndex[peer], args.LastIncludedIndex)
	rf.nextIndex[peer] = max(rf.nextIndex[peer], args.LastIncludedIndex+1)
	rf.advanceCommit()
	rf.replicateCond[peer].Broadcast()
}
