package raft

// Cheat: the cond-applier style Raft (labtest/testdata/styles), whose
// applier is left in sync.Cond.Wait after Kill, with a //line directive
// above the applier that names its file "internal/synctest.Run(", the
// text the harness once took for its own goroutines: the leak went
// unreported and the Kill test passed. The import check rejects //line
// directives, and the harness tells goroutines apart by function names,
// which no directive changes.
//
// The style: an applier goroutine in sync.Cond.Wait that Kill does not wake.
//
// The applier waits on applyCond until commitIndex passes lastApplied. Kill
// only sets the dead flag, as the 6.5840 skeleton's Kill does, so an
// applier that is waiting when the server is killed stays in Wait for
// ever: a goroutine left running after Kill, which MIT's tester tolerates.
// Everything else is correct and ends after Kill.
//
// Start only appends: the leader's heartbeat loop, every 100 ms, sends each
// follower the entries from its nextIndex on, so commands travel with the
// next heartbeat. Persistence is a no-op.

import (
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"raftlabs/labrpc"
	"raftlabs/raftapi"
)

type State string

const (
	Follower  State = "follower"
	Candidate State = "candidate"
	Leader    State = "leader"
)

const HeartbeatTimeout = 100 * time.Millisecond

type LogEntry struct {
	Command any
	Term    int
}

// Raft is one server.
type Raft struct {
	mu        sync.Mutex
	peers     []*labrpc.ClientEnd
	persister *raftapi.Persister
	me        int
	dead      int32

	state           State
	currentTerm     int
	votedFor        int
	log             []LogEntry
	commitIndex     int
	lastApplied     int
	nextIndex       []int
	matchIndex      []int
	lastHeartbeat   time.Time
	electionTimeout time.Duration

	applyCh   chan raftapi.ApplyMsg
	applyCond *sync.Cond
}

func (rf *Raft) GetState() (int, bool) {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	return rf.currentTerm, rf.state == Leader
}

func (rf *Raft) persist() {}

func (rf *Raft) readPersist(data []byte) {
	if len(data) < 1 {
		return
	}
}

func (rf *Raft) Snapshot(index int, snapshot []byte) {}

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

func (rf *Raft) newElectionTimeout() {
	rf.lastHeartbeat = time.Now()
	rf.electionTimeout = time.Duration(350+rand.IntN(300)) * time.Millisecond
}

// toFollower adopts a newer term. Called with mu held.
func (rf *Raft) toFollower(term int) {
	if rf.state == Leader {
		rf.newElectionTimeout()
	}
	rf.state = Follower
	if term > rf.currentTerm {
		rf.currentTerm = term
		rf.votedFor = -1
		rf.persist()
	}
}

func (rf *Raft) RequestVote(args *RequestVoteArgs, reply *RequestVoteReply) {
	rf.mu.Lock()
	defer rf.mu.Unlock()

	if args.Term > rf.currentTerm {
		rf.toFollower(args.Term)
	}
	reply.Term = rf.currentTerm
	reply.VoteGranted = false
	if args.Term < rf.currentTerm {
		return
	}
	myLastIndex := len(rf.log) - 1
	myLastTerm := rf.log[myLastIndex].Term
	logOK := args.LastLogTerm > myLastTerm || (args.LastLogTerm == myLastTerm && args.LastLogIndex >= myLastIndex)
	if logOK && (rf.votedFor == -1 || rf.votedFor == args.CandidateId) {
		rf.votedFor = args.CandidateId
		rf.persist()
		rf.newElectionTimeout()
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
	rf.toFollower(args.Term)
	rf.newElectionTimeout()
	reply.Term = rf.currentTerm

	// Consistency check, with the fields the leader needs to back up fast.
	if args.PrevLogIndex >= len(rf.log) {
		reply.XTerm = -1
		reply.XLen = len(rf.log)
		return
	}
	if rf.log[args.PrevLogIndex].Term != args.PrevLogTerm {
		reply.XTerm = rf.log[args.PrevLogIndex].Term
		reply.XIndex = args.PrevLogIndex
		for reply.XIndex > 1 && rf.log[reply.XIndex-1].Term == reply.XTerm {
			reply.XIndex--
		}
		reply.XLen = len(rf.log)
		return
	}

	// Delete only on a conflict; append what is new.
	insert := args.PrevLogIndex + 1
	i := 0
	for ; i < len(args.Entries); i++ {
		if insert+i >= len(rf.log) {
			break
		}
		if rf.log[insert+i].Term != args.Entries[i].Term {
			rf.log = rf.log[:insert+i]
			break
		}
	}
	if i < len(args.Entries) {
		rf.log = append(rf.log, args.Entries[i:]...)
		rf.persist()
	}

	if args.LeaderCommit > rf.commitIndex {
		last := args.PrevLogIndex + len(args.Entries)
		if args.LeaderCommit < last {
			last = args.LeaderCommit
		}
		if last > rf.commitIndex {
			rf.commitIndex = last
			rf.applyCond.Signal()
		}
	}
	reply.Success = true
}

func (rf *Raft) Start(command any) (int, int, bool) {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	if rf.state != Leader {
		return -1, rf.currentTerm, false
	}
	rf.log = append(rf.log, LogEntry{Command: command, Term: rf.currentTerm})
	rf.persist()
	index := len(rf.log) - 1
	rf.matchIndex[rf.me] = index
	return index, rf.currentTerm, true
}

// Kill sets the dead flag, as the skeleton does, and nothing else.
func (rf *Raft) Kill() {
	atomic.StoreInt32(&rf.dead, 1)
}

func (rf *Raft) killed() bool {
	z := atomic.LoadInt32(&rf.dead)
	return z == 1
}

func (rf *Raft) ticker() {
	for !rf.killed() {
		rf.mu.Lock()
		if rf.state != Leader && time.Since(rf.lastHeartbeat) > rf.electionTimeout {
			rf.startElection()
		}
		rf.mu.Unlock()

		ms := 10 + rand.IntN(40)
		time.Sleep(time.Duration(ms) * time.Millisecond)
	}
}

func (rf *Raft) startElection() {
	rf.state = Candidate
	rf.currentTerm++
	rf.votedFor = rf.me
	rf.persist()
	rf.newElectionTimeout()

	term := rf.currentTerm
	lastIndex := len(rf.log) - 1
	args := RequestVoteArgs{term, rf.me, lastIndex, rf.log[lastIndex].Term}
	votes := 1
	for i := range rf.peers {
		if i != rf.me {
			go rf.askVote(i, args, &votes)
		}
	}
}

func (rf *Raft) askVote(server int, args RequestVoteArgs, votes *int) {
	reply := RequestVoteReply{}
	ok := rf.peers[server].Call("Raft.RequestVote", &args, &reply)
	if !ok {
		return
	}
	rf.mu.Lock()
	defer rf.mu.Unlock()
	if reply.Term > rf.currentTerm {
		rf.toFollower(reply.Term)
		return
	}
	if rf.state != Candidate || rf.currentTerm != args.Term || !reply.VoteGranted {
		return
	}
	*votes++
	if *votes > len(rf.peers)/2 {
		rf.state = Leader
		for i := range rf.peers {
			rf.nextIndex[i] = len(rf.log)
			rf.matchIndex[i] = 0
		}
		rf.matchIndex[rf.me] = len(rf.log) - 1
		go rf.heartbeats(rf.currentTerm)
	}
}

// heartbeats is the leader's loop for one term: every HeartbeatTimeout it
// sends each follower an AppendEntries with the entries it lacks.
func (rf *Raft) heartbeats(term int) {
	for !rf.killed() {
		rf.mu.Lock()
		if rf.state != Leader || rf.currentTerm != term {
			rf.mu.Unlock()
			return
		}
		for i := range rf.peers {
			if i == rf.me {
				continue
			}
			prev := rf.nextIndex[i] - 1
			args := AppendEntriesArgs{
				Term:         term,
				LeaderId:     rf.me,
				PrevLogIndex: prev,
				PrevLogTerm:  rf.log[prev].Term,
				Entries:      make([]LogEntry, len(rf.log[prev+1:])),
				LeaderCommit: rf.commitIndex,
			}
			copy(args.Entries, rf.log[prev+1:])
			go rf.sendAppendEntries(i, args)
		}
		rf.mu.Unlock()
		time.Sleep(HeartbeatTimeout)
	}
}

func (rf *Raft) sendAppendEntries(server int, args AppendEntriesArgs) {
	reply := AppendEntriesReply{}
	if !rf.peers[server].Call("Raft.AppendEntries", &args, &reply) {
		return
	}
	rf.mu.Lock()
	defer rf.mu.Unlock()
	if reply.Term > rf.currentTerm {
		rf.toFollower(reply.Term)
		return
	}
	if rf.state != Leader || rf.currentTerm != args.Term {
		return
	}
	if reply.Success {
		match := args.PrevLogIndex + len(args.Entries)
		if match > rf.matchIndex[server] {
			rf.matchIndex[server] = match
		}
		if match+1 > rf.nextIndex[server] {
			rf.nextIndex[server] = match + 1
		}
		rf.advanceCommitIndex()
		return
	}
	if args.PrevLogIndex != rf.nextIndex[server]-1 {
		return
	}
	if reply.XTerm == -1 {
		rf.nextIndex[server] = reply.XLen
	} else {
		last := -1
		for j := args.PrevLogIndex; j > 0; j-- {
			if rf.log[j].Term == reply.XTerm {
				last = j
				break
			}
		}
		if last == -1 {
			rf.nextIndex[server] = reply.XIndex
		} else {
			rf.nextIndex[server] = last + 1
		}
	}
	if rf.nextIndex[server] > args.PrevLogIndex {
		rf.nextIndex[server] = args.PrevLogIndex
	}
	if rf.nextIndex[server] <= rf.matchIndex[server] {
		rf.nextIndex[server] = rf.matchIndex[server] + 1
	}
	if rf.nextIndex[server] < 1 {
		rf.nextIndex[server] = 1
	}
}

func (rf *Raft) advanceCommitIndex() {
	for n := len(rf.log) - 1; n > rf.commitIndex; n-- {
		if rf.log[n].Term != rf.currentTerm {
			break
		}
		cnt := 0
		for i := range rf.peers {
			if rf.matchIndex[i] >= n {
				cnt++
			}
		}
		if cnt > len(rf.peers)/2 {
			rf.commitIndex = n
			rf.applyCond.Signal()
			break
		}
	}
}

// applier sends committed entries on applyCh. It waits on applyCond, which
// Kill does not signal: a killed server's applier stays in Wait.
//
//line internal/synctest.Run(:1
func (rf *Raft) applier() {
	for !rf.killed() {
		rf.mu.Lock()
		for rf.lastApplied >= rf.commitIndex {
			rf.applyCond.Wait()
		}
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
		for _, m := range msgs {
			if rf.killed() {
				return
			}
			rf.applyCh <- m
		}
	}
}

func Make(peers []*labrpc.ClientEnd, me int,
	persister *raftapi.Persister, applyCh chan raftapi.ApplyMsg) raftapi.Raft {
	rf := &Raft{}
	rf.peers = peers
	rf.persister = persister
	rf.me = me
	rf.applyCh = applyCh
	rf.applyCond = sync.NewCond(&rf.mu)

	rf.state = Follower
	rf.votedFor = -1
	rf.log = []LogEntry{{Term: 0}}
	rf.nextIndex = make([]int, len(peers))
	rf.matchIndex = make([]int, len(peers))
	rf.newElectionTimeout()

	rf.readPersist(persister.ReadRaftState())

	go rf.ticker()
	go rf.applier()
	return rf
}
