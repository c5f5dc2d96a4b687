package raft

// Style: an applier that polls with time.Sleep and never checks killed().
//
// The applier is `for { time.Sleep(10 ms); ... }`: every 10 ms it hands
// whatever has been committed since to applyCh. It never looks at the dead
// flag, so it keeps sleeping and waking after Kill: a goroutine left
// running, which MIT's tester tolerates. It sends nothing after Kill,
// because a killed server's handlers refuse every RPC, so nothing new is
// committed. Everything else ends after Kill.
//
// Start replicates at once: it schedules one send to every follower 2 ms
// later, so that a burst of Starts shares an AppendEntries, and at most one
// AppendEntries with entries is out to a follower at a time (heartbeats,
// every 100 ms, go regardless). The election ticker sleeps a random
// 300–600 ms and starts an election if nothing was heard meanwhile.
// Persistence is a no-op.

import (
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"raftlabs/labrpc"
	"raftlabs/raftapi"
)

const (
	follower = iota
	candidate
	leader
)

// Entry is one slot of the log.
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

	role        int
	currentTerm int
	votedFor    int
	log         []Entry
	commitIndex int
	lastApplied int
	heard       bool // a leader or a granted vote since the ticker last looked

	nextIndex    []int
	matchIndex   []int
	outstanding  []bool // an AppendEntries with entries is out to the peer
	sendPending  bool   // a batched send is scheduled
	votesGranted int
}

func (rf *Raft) GetState() (int, bool) {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	return rf.currentTerm, rf.role == leader
}

func (rf *Raft) persist()                            {}
func (rf *Raft) readPersist(data []byte)             {}
func (rf *Raft) Snapshot(index int, snapshot []byte) {}

func (rf *Raft) lastIndex() int { return len(rf.log) - 1 }

type RequestVoteArgs struct {
	Term         int
	CandidateId  int
	LastLogIndex int
	LastLogTerm  int
}

type RequestVoteReply struct {
	Term        int
	VoteGranted bool
}

type AppendEntriesArgs struct {
	Term         int
	LeaderId     int
	PrevLogIndex int
	PrevLogTerm  int
	Entries      []Entry
	LeaderCommit int
}

type AppendEntriesReply struct {
	Term    int
	Success bool
	// For backing up a term at a time.
	XTerm  int
	XIndex int
	XLen   int
}

// checkTerm steps down on seeing a later term. Called with mu held.
func (rf *Raft) checkTerm(term int) {
	if term > rf.currentTerm {
		if rf.role == leader {
			rf.heard = true // give the new leader a full timeout
		}
		rf.currentTerm = term
		rf.votedFor = -1
		rf.role = follower
		rf.persist()
	}
}

func (rf *Raft) RequestVote(args *RequestVoteArgs, reply *RequestVoteReply) {
	if rf.killed() {
		return
	}
	rf.mu.Lock()
	defer rf.mu.Unlock()
	rf.checkTerm(args.Term)
	reply.Term = rf.currentTerm
	if args.Term < rf.currentTerm || (rf.votedFor != -1 && rf.votedFor != args.CandidateId) {
		return
	}
	lastTerm := rf.log[rf.lastIndex()].Term
	if args.LastLogTerm < lastTerm || (args.LastLogTerm == lastTerm && args.LastLogIndex < rf.lastIndex()) {
		return
	}
	rf.votedFor = args.CandidateId
	rf.persist()
	rf.heard = true
	reply.VoteGranted = true
}

func (rf *Raft) AppendEntries(args *AppendEntriesArgs, reply *AppendEntriesReply) {
	if rf.killed() {
		return
	}
	rf.mu.Lock()
	defer rf.mu.Unlock()
	rf.checkTerm(args.Term)
	reply.Term = rf.currentTerm
	if args.Term < rf.currentTerm {
		return
	}
	rf.role = follower
	rf.heard = true

	if args.PrevLogIndex > rf.lastIndex() {
		reply.XTerm, reply.XLen = -1, len(rf.log)
		return
	}
	if t := rf.log[args.PrevLogIndex].Term; t != args.PrevLogTerm {
		reply.XTerm, reply.XLen = t, len(rf.log)
		reply.XIndex = args.PrevLogIndex
		for rf.log[reply.XIndex-1].Term == t {
			reply.XIndex--
		}
		return
	}
	for i, e := range args.Entries {
		idx := args.PrevLogIndex + 1 + i
		if idx > rf.lastIndex() || rf.log[idx].Term != e.Term {
			rf.log = append(rf.log[:idx:idx], args.Entries[i:]...)
			rf.persist()
			break
		}
	}
	if args.LeaderCommit > rf.commitIndex {
		rf.commitIndex = max(rf.commitIndex, min(args.LeaderCommit, args.PrevLogIndex+len(args.Entries)))
	}
	reply.Success = true
}

func (rf *Raft) Start(command any) (int, int, bool) {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	if rf.role != leader || rf.killed() {
		return -1, rf.currentTerm, false
	}
	rf.log = append(rf.log, Entry{Term: rf.currentTerm, Command: command})
	rf.persist()
	rf.matchIndex[rf.me] = rf.lastIndex()
	if !rf.sendPending {
		rf.sendPending = true
		go rf.sendSoon(rf.currentTerm)
	}
	return rf.lastIndex(), rf.currentTerm, true
}

// sendSoon waits a moment for more Starts, then sends the new entries to
// every follower that has none outstanding.
func (rf *Raft) sendSoon(term int) {
	time.Sleep(2 * time.Millisecond)
	rf.mu.Lock()
	defer rf.mu.Unlock()
	rf.sendPending = false
	if rf.role != leader || rf.currentTerm != term || rf.killed() {
		return
	}
	for peer := range rf.peers {
		if peer != rf.me && !rf.outstanding[peer] {
			rf.sendTo(peer)
		}
	}
}

func (rf *Raft) Kill() {
	atomic.StoreInt32(&rf.dead, 1)
}

func (rf *Raft) killed() bool {
	return atomic.LoadInt32(&rf.dead) == 1
}

// ticker sleeps a random election timeout and starts an election if no
// leader (or candidate it voted for) was heard from meanwhile.
func (rf *Raft) ticker() {
	for !rf.killed() {
		time.Sleep(time.Duration(300+rand.IntN(300)) * time.Millisecond)
		rf.mu.Lock()
		if rf.role != leader && !rf.heard && !rf.killed() {
			rf.startElection()
		}
		rf.heard = false
		rf.mu.Unlock()
	}
}

func (rf *Raft) startElection() {
	rf.role = candidate
	rf.currentTerm++
	rf.votedFor = rf.me
	rf.votesGranted = 1
	rf.persist()
	args := &RequestVoteArgs{
		Term:         rf.currentTerm,
		CandidateId:  rf.me,
		LastLogIndex: rf.lastIndex(),
		LastLogTerm:  rf.log[rf.lastIndex()].Term,
	}
	for peer := range rf.peers {
		if peer != rf.me {
			go rf.sendRequestVote(peer, args)
		}
	}
}

func (rf *Raft) sendRequestVote(peer int, args *RequestVoteArgs) {
	reply := &RequestVoteReply{}
	if !rf.peers[peer].Call("Raft.RequestVote", args, reply) {
		return
	}
	rf.mu.Lock()
	defer rf.mu.Unlock()
	rf.checkTerm(reply.Term)
	if rf.role != candidate || rf.currentTerm != args.Term || !reply.VoteGranted {
		return
	}
	rf.votesGranted++
	if rf.votesGranted*2 > len(rf.peers) {
		rf.role = leader
		for i := range rf.peers {
			rf.nextIndex[i] = len(rf.log)
			rf.matchIndex[i] = 0
			rf.outstanding[i] = false
		}
		rf.matchIndex[rf.me] = rf.lastIndex()
		go rf.heartbeatLoop(rf.currentTerm)
	}
}

// heartbeatLoop sends every follower an AppendEntries each 100 ms while
// this server leads term.
func (rf *Raft) heartbeatLoop(term int) {
	for !rf.killed() {
		rf.mu.Lock()
		if rf.role != leader || rf.currentTerm != term {
			rf.mu.Unlock()
			return
		}
		for peer := range rf.peers {
			if peer != rf.me {
				rf.sendTo(peer)
			}
		}
		rf.mu.Unlock()
		time.Sleep(100 * time.Millisecond)
	}
}

// sendTo sends peer an AppendEntries with every entry from its nextIndex
// on. Called with mu held; the RPC goes from its own goroutine.
func (rf *Raft) sendTo(peer int) {
	prev := rf.nextIndex[peer] - 1
	args := &AppendEntriesArgs{
		Term:         rf.currentTerm,
		LeaderId:     rf.me,
		PrevLogIndex: prev,
		PrevLogTerm:  rf.log[prev].Term,
		Entries:      append([]Entry{}, rf.log[prev+1:]...),
		LeaderCommit: rf.commitIndex,
	}
	if len(args.Entries) > 0 {
		rf.outstanding[peer] = true
	}
	go func() {
		reply := &AppendEntriesReply{}
		ok := rf.peers[peer].Call("Raft.AppendEntries", args, reply)
		rf.mu.Lock()
		defer rf.mu.Unlock()
		if len(args.Entries) > 0 {
			rf.outstanding[peer] = false
		}
		if ok {
			rf.handleReply(peer, args, reply)
		}
	}()
}

// handleReply acts on an AppendEntries reply. Called with mu held.
func (rf *Raft) handleReply(peer int, args *AppendEntriesArgs, reply *AppendEntriesReply) {
	rf.checkTerm(reply.Term)
	if rf.role != leader || rf.currentTerm != args.Term || rf.killed() {
		return
	}
	if !reply.Success {
		if args.PrevLogIndex+1 != rf.nextIndex[peer] || reply.Term == 0 {
			return
		}
		next := reply.XLen
		if reply.XTerm >= 0 {
			next = reply.XIndex
			for i := args.PrevLogIndex; i > 0 && rf.log[i].Term >= reply.XTerm; i-- {
				if rf.log[i].Term == reply.XTerm {
					next = i + 1
					break
				}
			}
		}
		rf.nextIndex[peer] = max(1, rf.matchIndex[peer]+1, min(next, args.PrevLogIndex))
		return
	}
	if m := args.PrevLogIndex + len(args.Entries); m > rf.matchIndex[peer] {
		rf.matchIndex[peer] = m
		rf.nextIndex[peer] = m + 1
	}
	old := rf.commitIndex
	for n := rf.lastIndex(); n > rf.commitIndex && rf.log[n].Term == rf.currentTerm; n-- {
		count := 0
		for _, m := range rf.matchIndex {
			if m >= n {
				count++
			}
		}
		if 2*count > len(rf.peers) {
			rf.commitIndex = n
			break
		}
	}
	if rf.commitIndex > old && !rf.sendPending {
		// Tell the followers soon, with whatever has been started since.
		rf.sendPending = true
		go rf.sendSoon(rf.currentTerm)
	}
}

// applier polls for committed entries every 10 ms, for ever.
func (rf *Raft) applier() {
	for {
		time.Sleep(10 * time.Millisecond)
		rf.mu.Lock()
		var msgs []raftapi.ApplyMsg
		for rf.lastApplied < rf.commitIndex {
			rf.lastApplied++
			msgs = append(msgs, raftapi.ApplyMsg{
				CommandValid: true,
				Command:      rf.log[rf.lastApplied].Command,
				CommandIndex: rf.lastApplied,
			})
		}
		rf.mu.Unlock()
		for _, msg := range msgs {
			rf.applyCh <- msg
		}
	}
}

func Make(peers []*labrpc.ClientEnd, me int,
	persister *raftapi.Persister, applyCh chan raftapi.ApplyMsg) raftapi.Raft {
	rf := &Raft{
		peers:       peers,
		persister:   persister,
		me:          me,
		applyCh:     applyCh,
		votedFor:    -1,
		log:         []Entry{{}},
		nextIndex:   make([]int, len(peers)),
		matchIndex:  make([]int, len(peers)),
		outstanding: make([]bool, len(peers)),
	}
	rf.readPersist(persister.ReadRaftState())
	go rf.ticker()
	go rf.applier()
	return rf
}
