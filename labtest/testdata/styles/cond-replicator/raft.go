package raft

// Style: a replicator goroutine per peer, woken by a sync.Cond.
//
// Make starts, for each other server, a replicator that lives as long as
// the server. It sleeps in replicateCond[peer].Wait() until this server is
// the leader and there is something to send that peer: Start appended
// entries, a commit it has not been told of, or a heartbeat falls due (a
// heartbeat clock goroutine wakes every replicator each 100 ms). Kill wakes
// every replicator and the applier so that they return. Persistence is
// real (labgob), so that this file is also a lab 3 Raft.

import (
	"bytes"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"raftlabs/labgob"
	"raftlabs/labrpc"
	"raftlabs/raftapi"
)

const heartbeatInterval = 100 * time.Millisecond

const (
	StateFollower = iota
	StateCandidate
	StateLeader
)

// Entry is one log entry.
type Entry struct {
	Term    int
	Command any
}

// Raft is one server.
type Raft struct {
	mu        sync.Mutex
	peers     []*labrpc.ClientEnd
	persister *raftapi.Persister
	me        int
	dead      int32
	applyCh   chan raftapi.ApplyMsg

	// persistent
	currentTerm int
	votedFor    int
	log         []Entry // log[0] is a sentinel of term 0

	// volatile
	commitIndex int
	lastApplied int
	state       int
	deadline    time.Time // when a follower or candidate starts an election

	// leader only
	nextIndex  []int
	matchIndex []int

	applyCond     *sync.Cond
	replicateCond []*sync.Cond
	heartbeatDue  []bool // the heartbeat clock ticked since the last send to the peer
	waiting       []bool // an AppendEntries carrying news is out to the peer
	sentCommit    []int  // LeaderCommit of the last AppendEntries to the peer
}

// GetState returns the current term and whether this server is the leader.
func (rf *Raft) GetState() (int, bool) {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	return rf.currentTerm, rf.state == StateLeader
}

// persist saves currentTerm, votedFor and the log. Called with mu held;
// after Kill it saves nothing.
func (rf *Raft) persist() {
	if rf.killed() {
		return
	}
	w := new(bytes.Buffer)
	e := labgob.NewEncoder(w)
	e.Encode(rf.currentTerm)
	e.Encode(rf.votedFor)
	e.Encode(rf.log)
	rf.persister.Save(w.Bytes(), rf.persister.ReadSnapshot())
}

// readPersist restores what persist saved.
func (rf *Raft) readPersist(data []byte) {
	if len(data) < 1 {
		return
	}
	d := labgob.NewDecoder(bytes.NewBuffer(data))
	var term, votedFor int
	var log []Entry
	if d.Decode(&term) != nil || d.Decode(&votedFor) != nil || d.Decode(&log) != nil {
		panic("readPersist: the saved state does not decode")
	}
	rf.currentTerm, rf.votedFor, rf.log = term, votedFor, log
}

// Snapshot is lab 4's; this Raft keeps its whole log.
func (rf *Raft) Snapshot(index int, snapshot []byte) {}

func (rf *Raft) lastIndex() int { return len(rf.log) - 1 }
func (rf *Raft) lastTerm() int  { return rf.log[len(rf.log)-1].Term }

func (rf *Raft) resetDeadline() {
	rf.deadline = time.Now().Add(time.Duration(400+rand.IntN(300)) * time.Millisecond)
}

// becomeFollower moves to term (if later) as a follower.
func (rf *Raft) becomeFollower(term int) {
	wasLeader := rf.state == StateLeader
	rf.state = StateFollower
	if term > rf.currentTerm {
		rf.currentTerm = term
		rf.votedFor = -1
		rf.persist()
	}
	if wasLeader {
		rf.resetDeadline()
	}
}

type RequestVoteArgs struct {
	Term         int
	CandidateID  int
	LastLogIndex int
	LastLogTerm  int
}

type RequestVoteReply struct {
	Term        int
	VoteGranted bool
}

// RequestVote is the RequestVote RPC handler.
func (rf *Raft) RequestVote(args *RequestVoteArgs, reply *RequestVoteReply) {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	if args.Term < rf.currentTerm {
		reply.Term = rf.currentTerm
		return
	}
	if args.Term > rf.currentTerm {
		rf.becomeFollower(args.Term)
	}
	reply.Term = rf.currentTerm
	if rf.votedFor != -1 && rf.votedFor != args.CandidateID {
		return
	}
	if args.LastLogTerm < rf.lastTerm() || (args.LastLogTerm == rf.lastTerm() && args.LastLogIndex < rf.lastIndex()) {
		return
	}
	rf.votedFor = args.CandidateID
	rf.persist()
	rf.resetDeadline()
	reply.VoteGranted = true
}

type AppendEntriesArgs struct {
	Term         int
	LeaderID     int
	PrevLogIndex int
	PrevLogTerm  int
	Entries      []Entry
	LeaderCommit int
}

type AppendEntriesReply struct {
	Term          int
	Success       bool
	ConflictTerm  int // term of the follower's entry at PrevLogIndex, or -1 if it has none
	ConflictIndex int // first index of ConflictTerm, or the follower's log length
}

// AppendEntries is the AppendEntries RPC handler.
func (rf *Raft) AppendEntries(args *AppendEntriesArgs, reply *AppendEntriesReply) {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	if args.Term < rf.currentTerm {
		reply.Term = rf.currentTerm
		return
	}
	rf.becomeFollower(args.Term)
	rf.resetDeadline()
	reply.Term = rf.currentTerm

	if args.PrevLogIndex >= len(rf.log) {
		reply.ConflictTerm = -1
		reply.ConflictIndex = len(rf.log)
		return
	}
	if rf.log[args.PrevLogIndex].Term != args.PrevLogTerm {
		reply.ConflictTerm = rf.log[args.PrevLogIndex].Term
		first := args.PrevLogIndex
		for first > 1 && rf.log[first-1].Term == reply.ConflictTerm {
			first--
		}
		reply.ConflictIndex = first
		return
	}

	changed := false
	for i, entry := range args.Entries {
		at := args.PrevLogIndex + 1 + i
		if at < len(rf.log) {
			if rf.log[at].Term == entry.Term {
				continue
			}
			rf.log = rf.log[:at] // a conflict: drop it and all that follows
		}
		rf.log = append(rf.log, args.Entries[i:]...)
		changed = true
		break
	}
	if changed {
		rf.persist()
	}

	lastNew := args.PrevLogIndex + len(args.Entries)
	if args.LeaderCommit > rf.commitIndex && lastNew > rf.commitIndex {
		rf.commitIndex = min(args.LeaderCommit, lastNew)
		rf.applyCond.Broadcast()
	}
	reply.Success = true
}

// Start appends command to the leader's log and wakes the replicators.
func (rf *Raft) Start(command any) (int, int, bool) {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	if rf.state != StateLeader {
		return -1, rf.currentTerm, false
	}
	rf.log = append(rf.log, Entry{Term: rf.currentTerm, Command: command})
	rf.persist()
	rf.matchIndex[rf.me] = rf.lastIndex()
	for peer := range rf.peers {
		if peer != rf.me {
			rf.replicateCond[peer].Signal()
		}
	}
	return rf.lastIndex(), rf.currentTerm, true
}

// Kill stops the server and wakes every goroutine waiting on a Cond.
func (rf *Raft) Kill() {
	atomic.StoreInt32(&rf.dead, 1)
	rf.mu.Lock()
	defer rf.mu.Unlock()
	rf.applyCond.Broadcast()
	for _, c := range rf.replicateCond {
		c.Broadcast()
	}
}

func (rf *Raft) killed() bool {
	return atomic.LoadInt32(&rf.dead) == 1
}

// ticker starts an election when the deadline passes.
func (rf *Raft) ticker() {
	for !rf.killed() {
		rf.mu.Lock()
		if rf.state != StateLeader && time.Now().After(rf.deadline) {
			rf.startElection()
		}
		rf.mu.Unlock()
		time.Sleep(time.Duration(30+rand.IntN(20)) * time.Millisecond)
	}
}

// heartbeatClock wakes every replicator once a heartbeat interval while
// this server leads.
func (rf *Raft) heartbeatClock() {
	for !rf.killed() {
		time.Sleep(heartbeatInterval)
		rf.mu.Lock()
		if rf.state == StateLeader {
			rf.wakeAll()
		}
		rf.mu.Unlock()
	}
}

// wakeAll makes a heartbeat due to every peer. Called with mu held.
func (rf *Raft) wakeAll() {
	for peer := range rf.peers {
		if peer != rf.me {
			rf.heartbeatDue[peer] = true
			rf.replicateCond[peer].Signal()
		}
	}
}

// startElection runs for leader in a new term. Called with mu held.
func (rf *Raft) startElection() {
	rf.state = StateCandidate
	rf.currentTerm++
	rf.votedFor = rf.me
	rf.persist()
	rf.resetDeadline()
	term := rf.currentTerm
	args := &RequestVoteArgs{Term: term, CandidateID: rf.me, LastLogIndex: rf.lastIndex(), LastLogTerm: rf.lastTerm()}
	granted := 1
	for peer := range rf.peers {
		if peer == rf.me {
			continue
		}
		go func() {
			reply := &RequestVoteReply{}
			if !rf.peers[peer].Call("Raft.RequestVote", args, reply) {
				return
			}
			rf.mu.Lock()
			defer rf.mu.Unlock()
			if reply.Term > rf.currentTerm {
				rf.becomeFollower(reply.Term)
				return
			}
			if reply.VoteGranted && rf.state == StateCandidate && rf.currentTerm == term {
				granted++
				if 2*granted > len(rf.peers) {
					rf.becomeLeader()
				}
			}
		}()
	}
}

// becomeLeader takes office and sends the first heartbeats. Called with mu held.
func (rf *Raft) becomeLeader() {
	rf.state = StateLeader
	for peer := range rf.peers {
		rf.nextIndex[peer] = len(rf.log)
		rf.matchIndex[peer] = 0
		rf.waiting[peer] = false
		rf.sentCommit[peer] = 0
	}
	rf.matchIndex[rf.me] = rf.lastIndex()
	rf.wakeAll()
}

// needsSend reports whether peer should be sent an AppendEntries now.
// Called with mu held.
func (rf *Raft) needsSend(peer int) bool {
	if rf.state != StateLeader {
		return false
	}
	news := rf.nextIndex[peer] <= rf.lastIndex() || rf.sentCommit[peer] < rf.commitIndex
	return rf.heartbeatDue[peer] || (news && !rf.waiting[peer])
}

// replicator sends AppendEntries to peer whenever needsSend says so, for
// the server's whole life.
func (rf *Raft) replicator(peer int) {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	for !rf.killed() {
		if !rf.needsSend(peer) {
			rf.replicateCond[peer].Wait()
			continue
		}
		next := rf.nextIndex[peer]
		entries := make([]Entry, len(rf.log)-next)
		copy(entries, rf.log[next:])
		args := &AppendEntriesArgs{
			Term:         rf.currentTerm,
			LeaderID:     rf.me,
			PrevLogIndex: next - 1,
			PrevLogTerm:  rf.log[next-1].Term,
			Entries:      entries,
			LeaderCommit: rf.commitIndex,
		}
		rf.waiting[peer] = len(entries) > 0 || rf.sentCommit[peer] < rf.commitIndex
		rf.heartbeatDue[peer] = false
		rf.sentCommit[peer] = rf.commitIndex
		go rf.sendAppendEntries(peer, args)
	}
}

// sendAppendEntries sends one AppendEntries and handles the reply.
func (rf *Raft) sendAppendEntries(peer int, args *AppendEntriesArgs) {
	reply := &AppendEntriesReply{}
	ok := rf.peers[peer].Call("Raft.AppendEntries", args, reply)
	rf.mu.Lock()
	defer rf.mu.Unlock()
	if !ok {
		return // the next heartbeat retries
	}
	if reply.Term > rf.currentTerm {
		rf.becomeFollower(reply.Term)
		return
	}
	if rf.state != StateLeader || rf.currentTerm != args.Term {
		return
	}
	rf.waiting[peer] = false
	defer rf.replicateCond[peer].Signal() // there may be more to send

	if reply.Success {
		if m := args.PrevLogIndex + len(args.Entries); m > rf.matchIndex[peer] {
			rf.matchIndex[peer] = m
		}
		if rf.nextIndex[peer] < rf.matchIndex[peer]+1 {
			rf.nextIndex[peer] = rf.matchIndex[peer] + 1
		}
		rf.commit()
		return
	}
	if rf.nextIndex[peer] != args.PrevLogIndex+1 {
		return // stale: a later reply already moved nextIndex
	}
	next := reply.ConflictIndex
	if reply.ConflictTerm != -1 {
		for i := args.PrevLogIndex; i > 0; i-- {
			if rf.log[i].Term == reply.ConflictTerm {
				next = i + 1
				break
			}
		}
	}
	next = min(next, args.PrevLogIndex)
	rf.nextIndex[peer] = max(next, rf.matchIndex[peer]+1, 1)
}

// commit moves commitIndex to the highest index of the current term held
// by a majority, and tells the replicators. Called with mu held.
func (rf *Raft) commit() {
	for n := rf.lastIndex(); n > rf.commitIndex; n-- {
		if rf.log[n].Term != rf.currentTerm {
			return
		}
		count := 0
		for _, m := range rf.matchIndex {
			if m >= n {
				count++
			}
		}
		if 2*count > len(rf.peers) {
			rf.commitIndex = n
			rf.applyCond.Broadcast()
			for peer := range rf.peers {
				if peer != rf.me {
					rf.replicateCond[peer].Signal()
				}
			}
			return
		}
	}
}

// applier delivers committed entries on applyCh until Kill.
func (rf *Raft) applier() {
	for !rf.killed() {
		rf.mu.Lock()
		for rf.lastApplied >= rf.commitIndex && !rf.killed() {
			rf.applyCond.Wait()
		}
		first, last := rf.lastApplied+1, rf.commitIndex
		entries := append([]Entry(nil), rf.log[first:last+1]...)
		rf.lastApplied = last
		rf.mu.Unlock()

		for i, e := range entries {
			if rf.killed() {
				return
			}
			rf.applyCh <- raftapi.ApplyMsg{CommandValid: true, Command: e.Command, CommandIndex: first + i}
		}
	}
}

// Make creates a server and starts its goroutines.
func Make(peers []*labrpc.ClientEnd, me int,
	persister *raftapi.Persister, applyCh chan raftapi.ApplyMsg) raftapi.Raft {
	n := len(peers)
	rf := &Raft{
		peers:         peers,
		persister:     persister,
		me:            me,
		applyCh:       applyCh,
		votedFor:      -1,
		log:           make([]Entry, 1),
		nextIndex:     make([]int, n),
		matchIndex:    make([]int, n),
		replicateCond: make([]*sync.Cond, n),
		heartbeatDue:  make([]bool, n),
		waiting:       make([]bool, n),
		sentCommit:    make([]int, n),
	}
	rf.applyCond = sync.NewCond(&rf.mu)
	for i := range peers {
		rf.replicateCond[i] = sync.NewCond(&rf.mu)
	}
	rf.readPersist(persister.ReadRaftState())
	rf.resetDeadline()

	for peer := range peers {
		if peer != me {
			go rf.replicator(peer)
		}
	}
	go rf.ticker()
	go rf.heartbeatClock()
	go rf.applier()
	return rf
}
