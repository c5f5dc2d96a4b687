package raft

// Style: terms are uint64.
//
// currentTerm, every RPC's Term, LastLogTerm, PrevLogTerm and each log
// entry's Term are uint64, as in many Rafts outside the labs; GetState and
// Start convert the term to int for the tests. The rest follows the
// students' guide to Raft: the 6.5840 skeleton's ticker that sleeps a
// random 50–350 ms between checks of the election timer, heartbeats every
// 100 ms that also carry any new entries (Start only appends to the log),
// an immediate retry when a follower rejects, with the guide's
// ConflictIndex/ConflictTerm for fast backup, and an applier that polls
// commitIndex every 10 ms and checks killed().
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

type ServerState string

const (
	StateFollower  ServerState = "follower"
	StateCandidate ServerState = "candidate"
	StateLeader    ServerState = "leader"
)

type LogEntry struct {
	Term    uint64
	Command interface{}
}

type Raft struct {
	mu        sync.Mutex
	peers     []*labrpc.ClientEnd
	persister *raftapi.Persister
	me        int
	dead      int32
	applyCh   chan raftapi.ApplyMsg

	// persistent state on all servers
	currentTerm uint64
	votedFor    int
	log         []LogEntry // log[0] is a dummy entry of term 0

	// volatile state on all servers
	commitIndex int
	lastApplied int

	// volatile state on leaders
	nextIndex  []int
	matchIndex []int

	state         ServerState
	lastHeartbeat time.Time
	timeout       time.Duration
}

func (rf *Raft) GetState() (int, bool) {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	return int(rf.currentTerm), rf.state == StateLeader
}

func (rf *Raft) persist() {}

func (rf *Raft) readPersist(data []byte) {}

func (rf *Raft) Snapshot(index int, snapshot []byte) {}

type RequestVoteArgs struct {
	Term         uint64
	CandidateID  int
	LastLogIndex int
	LastLogTerm  uint64
}

type RequestVoteReply struct {
	Term        uint64
	VoteGranted bool
}

type AppendEntriesArgs struct {
	Term         uint64
	LeaderID     int
	PrevLogIndex int
	PrevLogTerm  uint64
	Entries      []LogEntry
	LeaderCommit int
}

type AppendEntriesReply struct {
	Term          uint64
	Success       bool
	ConflictIndex int
	ConflictTerm  uint64 // 0 if the follower's log is too short
}

func (rf *Raft) lastLogIndex() int     { return len(rf.log) - 1 }
func (rf *Raft) lastLogTerm() uint64   { return rf.log[len(rf.log)-1].Term }
func (rf *Raft) electionTimeout() bool { return time.Since(rf.lastHeartbeat) > rf.timeout }

func (rf *Raft) resetElectionTimer() {
	rf.lastHeartbeat = time.Now()
	rf.timeout = time.Duration(400+rand.Int63()%300) * time.Millisecond
}

// convertToFollower is called with rf.mu held when a higher term is seen.
func (rf *Raft) convertToFollower(term uint64) {
	wasLeader := rf.state == StateLeader
	rf.currentTerm = term
	rf.votedFor = -1
	rf.state = StateFollower
	rf.persist()
	if wasLeader {
		rf.resetElectionTimer()
	}
}

func (rf *Raft) RequestVote(args *RequestVoteArgs, reply *RequestVoteReply) {
	rf.mu.Lock()
	defer rf.mu.Unlock()

	if args.Term < rf.currentTerm {
		reply.Term = rf.currentTerm
		reply.VoteGranted = false
		return
	}
	if args.Term > rf.currentTerm {
		rf.convertToFollower(args.Term)
	}
	reply.Term = rf.currentTerm

	logOk := args.LastLogTerm > rf.lastLogTerm() ||
		(args.LastLogTerm == rf.lastLogTerm() && args.LastLogIndex >= rf.lastLogIndex())
	if (rf.votedFor == -1 || rf.votedFor == args.CandidateID) && logOk {
		reply.VoteGranted = true
		rf.votedFor = args.CandidateID
		rf.persist()
		rf.resetElectionTimer()
	}
}

func (rf *Raft) AppendEntries(args *AppendEntriesArgs, reply *AppendEntriesReply) {
	rf.mu.Lock()
	defer rf.mu.Unlock()

	reply.Success = false
	if args.Term < rf.currentTerm {
		reply.Term = rf.currentTerm
		return
	}
	if args.Term > rf.currentTerm {
		rf.convertToFollower(args.Term)
	}
	rf.state = StateFollower
	reply.Term = rf.currentTerm
	rf.resetElectionTimer()

	// Reply false if log doesn't contain an entry at prevLogIndex whose
	// term matches prevLogTerm.
	if args.PrevLogIndex > rf.lastLogIndex() {
		reply.ConflictIndex = len(rf.log)
		reply.ConflictTerm = 0
		return
	}
	if rf.log[args.PrevLogIndex].Term != args.PrevLogTerm {
		reply.ConflictTerm = rf.log[args.PrevLogIndex].Term
		idx := args.PrevLogIndex
		for idx > 1 && rf.log[idx-1].Term == reply.ConflictTerm {
			idx--
		}
		reply.ConflictIndex = idx
		return
	}

	// If an existing entry conflicts with a new one, delete it and all that
	// follow; append any new entries not already in the log.
	for i, entry := range args.Entries {
		idx := args.PrevLogIndex + 1 + i
		if idx > rf.lastLogIndex() {
			rf.log = append(rf.log, args.Entries[i:]...)
			break
		}
		if rf.log[idx].Term != entry.Term {
			rf.log = append(rf.log[:idx], args.Entries[i:]...)
			break
		}
	}
	rf.persist()
	reply.Success = true

	if args.LeaderCommit > rf.commitIndex {
		rf.commitIndex = min(args.LeaderCommit, args.PrevLogIndex+len(args.Entries))
	}
}

func (rf *Raft) Start(command interface{}) (int, int, bool) {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	if rf.state != StateLeader {
		return -1, int(rf.currentTerm), false
	}
	rf.log = append(rf.log, LogEntry{Term: rf.currentTerm, Command: command})
	rf.persist()
	index := rf.lastLogIndex()
	rf.matchIndex[rf.me] = index
	return index, int(rf.currentTerm), true
}

func (rf *Raft) Kill() {
	atomic.StoreInt32(&rf.dead, 1)
}

func (rf *Raft) killed() bool {
	z := atomic.LoadInt32(&rf.dead)
	return z == 1
}

func (rf *Raft) startElection() {
	rf.mu.Lock()
	rf.state = StateCandidate
	rf.currentTerm++
	rf.votedFor = rf.me
	rf.persist()
	rf.resetElectionTimer()
	args := RequestVoteArgs{
		Term:         rf.currentTerm,
		CandidateID:  rf.me,
		LastLogIndex: rf.lastLogIndex(),
		LastLogTerm:  rf.lastLogTerm(),
	}
	rf.mu.Unlock()

	var votes int32 = 1
	for i := range rf.peers {
		if i == rf.me {
			continue
		}
		go func(server int) {
			reply := RequestVoteReply{}
			if !rf.peers[server].Call("Raft.RequestVote", &args, &reply) {
				return
			}
			rf.mu.Lock()
			defer rf.mu.Unlock()
			if reply.Term > rf.currentTerm {
				rf.convertToFollower(reply.Term)
				return
			}
			if rf.state != StateCandidate || rf.currentTerm != args.Term || !reply.VoteGranted {
				return
			}
			if int(atomic.AddInt32(&votes, 1)) > len(rf.peers)/2 {
				rf.becomeLeader()
			}
		}(i)
	}
}

// becomeLeader is called with rf.mu held.
func (rf *Raft) becomeLeader() {
	rf.state = StateLeader
	for i := range rf.peers {
		rf.nextIndex[i] = rf.lastLogIndex() + 1
		rf.matchIndex[i] = 0
	}
	rf.matchIndex[rf.me] = rf.lastLogIndex()
	term := rf.currentTerm
	for i := range rf.peers {
		if i != rf.me {
			go rf.replicate(i, term)
		}
	}
}

// replicate sends one AppendEntries to server, for term, and retries at
// once if the follower rejects it.
func (rf *Raft) replicate(server int, term uint64) {
	for !rf.killed() {
		rf.mu.Lock()
		if rf.state != StateLeader || rf.currentTerm != term {
			rf.mu.Unlock()
			return
		}
		prev := rf.nextIndex[server] - 1
		args := AppendEntriesArgs{
			Term:         rf.currentTerm,
			LeaderID:     rf.me,
			PrevLogIndex: prev,
			PrevLogTerm:  rf.log[prev].Term,
			Entries:      make([]LogEntry, len(rf.log[prev+1:])),
			LeaderCommit: rf.commitIndex,
		}
		copy(args.Entries, rf.log[prev+1:])
		rf.mu.Unlock()

		reply := AppendEntriesReply{}
		if !rf.peers[server].Call("Raft.AppendEntries", &args, &reply) {
			return
		}

		rf.mu.Lock()
		if reply.Term > rf.currentTerm {
			rf.convertToFollower(reply.Term)
			rf.mu.Unlock()
			return
		}
		if rf.state != StateLeader || rf.currentTerm != term {
			rf.mu.Unlock()
			return
		}
		if reply.Success {
			if m := prev + len(args.Entries); m > rf.matchIndex[server] {
				rf.matchIndex[server] = m
				rf.nextIndex[server] = m + 1
			}
			rf.advanceCommitIndex()
			rf.mu.Unlock()
			return
		}
		if rf.nextIndex[server] != prev+1 {
			rf.mu.Unlock()
			return // someone else moved nextIndex meanwhile
		}
		next := reply.ConflictIndex
		if reply.ConflictTerm != 0 {
			for i := rf.lastLogIndex(); i > 0; i-- {
				if rf.log[i].Term == reply.ConflictTerm {
					next = i + 1
					break
				}
			}
		}
		rf.nextIndex[server] = max(1, min(next, rf.lastLogIndex()+1))
		rf.mu.Unlock()
	}
}

// advanceCommitIndex is called with rf.mu held.
func (rf *Raft) advanceCommitIndex() {
	for n := rf.lastLogIndex(); n > rf.commitIndex && rf.log[n].Term == rf.currentTerm; n-- {
		count := 0
		for i := range rf.peers {
			if rf.matchIndex[i] >= n {
				count++
			}
		}
		if count > len(rf.peers)/2 {
			rf.commitIndex = n
			return
		}
	}
}

func (rf *Raft) ticker() {
	for !rf.killed() {
		rf.mu.Lock()
		start := rf.state != StateLeader && rf.electionTimeout()
		rf.mu.Unlock()
		if start {
			rf.startElection()
		}
		ms := 50 + (rand.Int63() % 300)
		time.Sleep(time.Duration(ms) * time.Millisecond)
	}
}

func (rf *Raft) heartbeater() {
	for !rf.killed() {
		rf.mu.Lock()
		if rf.state == StateLeader {
			term := rf.currentTerm
			for i := range rf.peers {
				if i != rf.me {
					go rf.replicate(i, term)
				}
			}
		}
		rf.mu.Unlock()
		time.Sleep(100 * time.Millisecond)
	}
}

func (rf *Raft) applier() {
	for !rf.killed() {
		var msgs []raftapi.ApplyMsg
		rf.mu.Lock()
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
			if rf.killed() {
				return
			}
			rf.applyCh <- msg
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func Make(peers []*labrpc.ClientEnd, me int,
	persister *raftapi.Persister, applyCh chan raftapi.ApplyMsg) *Raft {
	rf := &Raft{}
	rf.peers = peers
	rf.persister = persister
	rf.me = me
	rf.applyCh = applyCh

	rf.state = StateFollower
	rf.votedFor = -1
	rf.log = []LogEntry{{Term: 0}}
	rf.nextIndex = make([]int, len(peers))
	rf.matchIndex = make([]int, len(peers))
	rf.resetElectionTimer()

	rf.readPersist(persister.ReadRaftState())

	go rf.ticker()
	go rf.heartbeater()
	go rf.applier()

	return rf
}
