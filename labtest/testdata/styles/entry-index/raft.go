package raft

// Style: log entries carry their own Index, and the AppendEntries handler
// places each entry by it.
//
// Every Entry knows its index in the log (log[0] is a placeholder with
// Index 0). The follower's handler does not count positions from
// PrevLogIndex: it looks at e.Index, keeps an entry of the same term that
// is already there, cuts the log at e.Index on a conflict, and appends.
// The rest is the shape of many 6.5840 solutions: a ticker goroutine that
// polls the election timer, a heartbeat loop every 100 ms, an AppendEntries
// to every follower as soon as Start is called, the XTerm/XIndex/XLen
// rejection of the lab's hint for fast backup, and an applier woken by a
// sync.Cond (which Kill also wakes, so it ends).
//
// Persistence is a no-op (lab 3 is not part of this style).

import (
	"math/rand"
	"sync"
	"sync/atomic"
	"time"

	"raftlabs/labrpc"
	"raftlabs/raftapi"
)

const (
	Follower = iota
	Candidate
	Leader
)

const HeartbeatInterval = 100 * time.Millisecond

// Entry is one log entry, with its own place in the log.
type Entry struct {
	Index   int
	Term    int
	Command interface{}
}

type Raft struct {
	mu        sync.Mutex
	peers     []*labrpc.ClientEnd
	persister *raftapi.Persister
	me        int
	dead      int32

	applyCh   chan raftapi.ApplyMsg
	applyCond *sync.Cond

	currentTerm int
	votedFor    int
	log         []Entry

	commitIndex int
	lastApplied int

	state           int
	lastHeard       time.Time
	electionTimeout time.Duration

	nextIndex  []int
	matchIndex []int
}

func (rf *Raft) GetState() (int, bool) {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	return rf.currentTerm, rf.state == Leader
}

func (rf *Raft) persist() {}

func (rf *Raft) readPersist(data []byte) {}

func (rf *Raft) Snapshot(index int, snapshot []byte) {}

func (rf *Raft) lastLog() Entry { return rf.log[len(rf.log)-1] }

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
	XTerm   int
	XIndex  int
	XLen    int
}

func (rf *Raft) resetTimer() {
	rf.lastHeard = time.Now()
	rf.electionTimeout = time.Duration(300+rand.Intn(300)) * time.Millisecond
}

// becomeFollower must be called with rf.mu held.
func (rf *Raft) becomeFollower(term int) {
	if term > rf.currentTerm {
		rf.currentTerm = term
		rf.votedFor = -1
		rf.persist()
	}
	if rf.state != Follower {
		rf.state = Follower
		rf.resetTimer()
	}
}

func (rf *Raft) RequestVote(args *RequestVoteArgs, reply *RequestVoteReply) {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	if args.Term > rf.currentTerm {
		rf.becomeFollower(args.Term)
	}
	reply.Term = rf.currentTerm
	reply.VoteGranted = false
	if args.Term < rf.currentTerm {
		return
	}
	last := rf.lastLog()
	upToDate := args.LastLogTerm > last.Term || (args.LastLogTerm == last.Term && args.LastLogIndex >= last.Index)
	if (rf.votedFor == -1 || rf.votedFor == args.CandidateId) && upToDate {
		rf.votedFor = args.CandidateId
		rf.persist()
		rf.resetTimer()
		reply.VoteGranted = true
	}
}

func (rf *Raft) AppendEntries(args *AppendEntriesArgs, reply *AppendEntriesReply) {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	reply.Term = rf.currentTerm
	reply.Success = false
	if args.Term < rf.currentTerm {
		return
	}
	rf.becomeFollower(args.Term)
	reply.Term = rf.currentTerm
	rf.resetTimer()

	if args.PrevLogIndex > rf.lastLog().Index {
		reply.XTerm = -1
		reply.XLen = len(rf.log)
		return
	}
	if t := rf.log[args.PrevLogIndex].Term; t != args.PrevLogTerm {
		reply.XTerm = t
		i := args.PrevLogIndex
		for i > 1 && rf.log[i-1].Term == t {
			i--
		}
		reply.XIndex = i
		return
	}

	// Each entry says where it goes.
	for _, e := range args.Entries {
		if e.Index <= rf.lastLog().Index {
			if rf.log[e.Index].Term == e.Term {
				continue
			}
			rf.log = rf.log[:e.Index] // conflict: delete it and all that follow
		}
		rf.log = append(rf.log, e)
	}
	rf.persist()
	reply.Success = true

	if args.LeaderCommit > rf.commitIndex {
		lastNew := args.PrevLogIndex + len(args.Entries)
		rf.commitIndex = min(args.LeaderCommit, lastNew)
		rf.applyCond.Broadcast()
	}
}

func (rf *Raft) Start(command interface{}) (int, int, bool) {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	if rf.state != Leader || rf.killed() {
		return -1, rf.currentTerm, false
	}
	e := Entry{Index: rf.lastLog().Index + 1, Term: rf.currentTerm, Command: command}
	rf.log = append(rf.log, e)
	rf.persist()
	rf.matchIndex[rf.me] = e.Index
	rf.broadcast()
	return e.Index, rf.currentTerm, true
}

// broadcast sends every follower an AppendEntries with what it lacks. It
// must be called with rf.mu held; the RPCs go out in their own goroutines.
func (rf *Raft) broadcast() {
	for peer := range rf.peers {
		if peer == rf.me {
			continue
		}
		prev := rf.nextIndex[peer] - 1
		args := &AppendEntriesArgs{
			Term:         rf.currentTerm,
			LeaderId:     rf.me,
			PrevLogIndex: prev,
			PrevLogTerm:  rf.log[prev].Term,
			Entries:      append([]Entry(nil), rf.log[prev+1:]...),
			LeaderCommit: rf.commitIndex,
		}
		go rf.sendAppendEntries(peer, args)
	}
}

func (rf *Raft) sendAppendEntries(peer int, args *AppendEntriesArgs) {
	reply := &AppendEntriesReply{}
	if !rf.peers[peer].Call("Raft.AppendEntries", args, reply) {
		return
	}
	rf.mu.Lock()
	defer rf.mu.Unlock()
	if reply.Term > rf.currentTerm {
		rf.becomeFollower(reply.Term)
		return
	}
	if rf.state != Leader || rf.currentTerm != args.Term {
		return
	}
	if reply.Success {
		match := args.PrevLogIndex + len(args.Entries)
		if match > rf.matchIndex[peer] {
			rf.matchIndex[peer] = match
			rf.nextIndex[peer] = match + 1
		}
		rf.updateCommit()
		return
	}
	if args.PrevLogIndex+1 != rf.nextIndex[peer] {
		return // an old rejection; nextIndex has moved since
	}
	if reply.XTerm == -1 {
		rf.nextIndex[peer] = reply.XLen
	} else {
		next := reply.XIndex
		for i := rf.lastLog().Index; i > 0; i-- {
			if rf.log[i].Term == reply.XTerm {
				next = i + 1
				break
			}
		}
		rf.nextIndex[peer] = next
	}
	if rf.nextIndex[peer] < 1 {
		rf.nextIndex[peer] = 1
	}
}

// updateCommit must be called with rf.mu held.
func (rf *Raft) updateCommit() {
	for n := rf.lastLog().Index; n > rf.commitIndex; n-- {
		if rf.log[n].Term != rf.currentTerm {
			break
		}
		count := 0
		for peer := range rf.peers {
			if rf.matchIndex[peer] >= n {
				count++
			}
		}
		if count > len(rf.peers)/2 {
			rf.commitIndex = n
			rf.applyCond.Broadcast()
			break
		}
	}
}

func (rf *Raft) applier() {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	for !rf.killed() {
		if rf.lastApplied >= rf.commitIndex {
			rf.applyCond.Wait()
			continue
		}
		rf.lastApplied++
		msg := raftapi.ApplyMsg{
			CommandValid: true,
			Command:      rf.log[rf.lastApplied].Command,
			CommandIndex: rf.lastApplied,
		}
		rf.mu.Unlock()
		rf.applyCh <- msg
		rf.mu.Lock()
	}
}

func (rf *Raft) Kill() {
	atomic.StoreInt32(&rf.dead, 1)
	rf.mu.Lock()
	rf.applyCond.Broadcast()
	rf.mu.Unlock()
}

func (rf *Raft) killed() bool {
	z := atomic.LoadInt32(&rf.dead)
	return z == 1
}

func (rf *Raft) startElection() {
	rf.state = Candidate
	rf.currentTerm++
	rf.votedFor = rf.me
	rf.persist()
	rf.resetTimer()
	last := rf.lastLog()
	args := &RequestVoteArgs{Term: rf.currentTerm, CandidateId: rf.me, LastLogIndex: last.Index, LastLogTerm: last.Term}
	votes := 1
	for peer := range rf.peers {
		if peer != rf.me {
			go rf.askForVote(peer, args, &votes)
		}
	}
}

func (rf *Raft) askForVote(peer int, args *RequestVoteArgs, votes *int) {
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
	if rf.state != Candidate || rf.currentTerm != args.Term || !reply.VoteGranted {
		return
	}
	*votes++
	if *votes > len(rf.peers)/2 {
		rf.state = Leader
		for peer := range rf.peers {
			rf.nextIndex[peer] = rf.lastLog().Index + 1
			rf.matchIndex[peer] = 0
		}
		rf.matchIndex[rf.me] = rf.lastLog().Index
		rf.broadcast()
	}
}

func (rf *Raft) ticker() {
	for !rf.killed() {
		rf.mu.Lock()
		if rf.state != Leader && time.Since(rf.lastHeard) > rf.electionTimeout {
			rf.startElection()
		}
		rf.mu.Unlock()
		time.Sleep(10 * time.Millisecond)
	}
}

func (rf *Raft) heartbeats() {
	for !rf.killed() {
		rf.mu.Lock()
		if rf.state == Leader {
			rf.broadcast()
		}
		rf.mu.Unlock()
		time.Sleep(HeartbeatInterval)
	}
}

func Make(peers []*labrpc.ClientEnd, me int,
	persister *raftapi.Persister, applyCh chan raftapi.ApplyMsg) *Raft {
	rf := &Raft{}
	rf.peers = peers
	rf.persister = persister
	rf.me = me
	rf.applyCh = applyCh
	rf.applyCond = sync.NewCond(&rf.mu)

	rf.votedFor = -1
	rf.log = []Entry{{Index: 0, Term: 0}}
	rf.nextIndex = make([]int, len(peers))
	rf.matchIndex = make([]int, len(peers))
	rf.resetTimer()

	rf.readPersist(persister.ReadRaftState())

	go rf.ticker()
	go rf.heartbeats()
	go rf.applier()

	return rf
}
