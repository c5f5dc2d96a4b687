package raft

// Style: a handler whose reply parameter is another type than the one its
// callers pass. InstallSnapshot is declared with reply *InstallSnapshotArgs
// (a slip that compiles, since both types have a Term), while the leader
// calls it with an *InstallSnapshotReply. MIT's labrpc moves every reply
// through gob, which matches fields by name, so the Term gets back to the
// leader and the code passes MIT's tests; it must pass here too.
//
// A lab 1-4 Raft in the 2024 style: the log keeps a dummy entry at
// snapIndex; readPersist decodes into fresh variables, as the skeleton's
// example does; the applier polls every 10 ms (checking killed()) and is
// the only sender on applyCh; a ticker starts elections, and a leader runs
// a heartbeat loop for its term. Nothing leaks after Kill.

import (
	"bytes"
	"math/rand"
	"sync"
	"sync/atomic"
	"time"

	"raftlabs/labgob"
	"raftlabs/labrpc"
	"raftlabs/raftapi"
)

type ServerState int

const (
	StateFollower ServerState = iota
	StateCandidate
	StateLeader
)

const (
	HeartbeatInterval = 100 * time.Millisecond
)

type LogEntry struct {
	Term    int
	Command interface{}
}

type Raft struct {
	mu        sync.Mutex
	peers     []*labrpc.ClientEnd
	persister *raftapi.Persister
	me        int
	dead      int32

	// persistent
	currentTerm int
	votedFor    int
	log         []LogEntry // log[0] is the dummy, at snapIndex
	snapIndex   int
	snapTerm    int
	snapshot    []byte

	// volatile
	commitIndex int
	lastApplied int
	nextIndex   []int
	matchIndex  []int

	state           ServerState
	lastHeard       time.Time // from a leader, or a vote granted
	electionTimeout time.Duration

	applyCh     chan raftapi.ApplyMsg
	pendingSnap bool // a leader's snapshot the applier has not sent yet
}

// ---- log helpers (indexes are Raft indexes) ----

func (rf *Raft) lastLogIndex() int {
	return rf.snapIndex + len(rf.log) - 1
}

func (rf *Raft) lastLogTerm() int {
	return rf.log[len(rf.log)-1].Term
}

func (rf *Raft) entryAt(index int) LogEntry {
	return rf.log[index-rf.snapIndex]
}

func (rf *Raft) GetState() (int, bool) {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	return rf.currentTerm, rf.state == StateLeader
}

// ---- persistence ----

func (rf *Raft) raftState() []byte {
	w := new(bytes.Buffer)
	e := labgob.NewEncoder(w)
	e.Encode(rf.currentTerm)
	e.Encode(rf.votedFor)
	e.Encode(rf.snapIndex)
	e.Encode(rf.snapTerm)
	e.Encode(rf.log)
	return w.Bytes()
}

// persist saves the state and the current snapshot. Hold rf.mu.
func (rf *Raft) persist() {
	if rf.killed() {
		return
	}
	rf.persister.Save(rf.raftState(), rf.snapshot)
}

// readPersist restores what persist saved.
func (rf *Raft) readPersist(data []byte) {
	if data == nil || len(data) < 1 {
		return
	}
	r := bytes.NewBuffer(data)
	d := labgob.NewDecoder(r)
	var currentTerm, votedFor, snapIndex, snapTerm int
	var log []LogEntry
	if d.Decode(&currentTerm) != nil ||
		d.Decode(&votedFor) != nil ||
		d.Decode(&snapIndex) != nil ||
		d.Decode(&snapTerm) != nil ||
		d.Decode(&log) != nil {
		panic("readPersist: cannot decode state")
	}
	rf.currentTerm = currentTerm
	rf.votedFor = votedFor
	rf.snapIndex = snapIndex
	rf.snapTerm = snapTerm
	rf.log = log
}

// ---- snapshots ----

// Snapshot is called by the service: it has a snapshot of everything
// through index, so the log before it can go.
func (rf *Raft) Snapshot(index int, snapshot []byte) {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	if index <= rf.snapIndex || index > rf.commitIndex {
		return
	}
	term := rf.entryAt(index).Term
	newLog := make([]LogEntry, 0, rf.lastLogIndex()-index+1)
	newLog = append(newLog, LogEntry{Term: term})
	newLog = append(newLog, rf.log[index-rf.snapIndex+1:]...)
	rf.log = newLog
	rf.snapIndex = index
	rf.snapTerm = term
	rf.snapshot = snapshot
	rf.persist()
}

type InstallSnapshotArgs struct {
	Term              int
	LeaderId          int
	LastIncludedIndex int
	LastIncludedTerm  int
	Data              []byte
}

type InstallSnapshotReply struct {
	Term int
}

// InstallSnapshot is the follower's side (Figure 13). Only the reply's Term
// is used by the leader.
func (rf *Raft) InstallSnapshot(args *InstallSnapshotArgs, reply *InstallSnapshotArgs) {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	reply.Term = rf.currentTerm
	if args.Term < rf.currentTerm {
		return
	}
	rf.becomeFollower(args.Term)
	reply.Term = rf.currentTerm
	rf.resetElectionTimer()

	// Already have (and have committed) everything it covers.
	if args.LastIncludedIndex <= rf.commitIndex {
		return
	}

	if args.LastIncludedIndex < rf.lastLogIndex() &&
		rf.entryAt(args.LastIncludedIndex).Term == args.LastIncludedTerm {
		// keep the entries after the snapshot
		newLog := []LogEntry{{Term: args.LastIncludedTerm}}
		newLog = append(newLog, rf.log[args.LastIncludedIndex-rf.snapIndex+1:]...)
		rf.log = newLog
	} else {
		rf.log = []LogEntry{{Term: args.LastIncludedTerm}}
	}
	rf.snapIndex = args.LastIncludedIndex
	rf.snapTerm = args.LastIncludedTerm
	rf.snapshot = args.Data
	rf.commitIndex = args.LastIncludedIndex
	rf.pendingSnap = true
	rf.persist()
}

func (rf *Raft) sendSnapshot(server int) {
	rf.mu.Lock()
	if rf.state != StateLeader {
		rf.mu.Unlock()
		return
	}
	args := &InstallSnapshotArgs{
		Term:              rf.currentTerm,
		LeaderId:          rf.me,
		LastIncludedIndex: rf.snapIndex,
		LastIncludedTerm:  rf.snapTerm,
		Data:              rf.snapshot,
	}
	rf.mu.Unlock()

	reply := &InstallSnapshotReply{}
	if !rf.peers[server].Call("Raft.InstallSnapshot", args, reply) {
		return
	}
	rf.mu.Lock()
	defer rf.mu.Unlock()
	if reply.Term > rf.currentTerm {
		rf.becomeFollower(reply.Term)
		return
	}
	if rf.state != StateLeader || rf.currentTerm != args.Term {
		return
	}
	if args.LastIncludedIndex > rf.matchIndex[server] {
		rf.matchIndex[server] = args.LastIncludedIndex
	}
	if args.LastIncludedIndex+1 > rf.nextIndex[server] {
		rf.nextIndex[server] = args.LastIncludedIndex + 1
	}
}

// ---- election ----

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

func (rf *Raft) resetElectionTimer() {
	ms := 300 + rand.Intn(300)
	rf.lastHeard = time.Now()
	rf.electionTimeout = time.Duration(ms) * time.Millisecond
}

// becomeFollower moves to term (if newer) as a follower. Hold rf.mu.
func (rf *Raft) becomeFollower(term int) {
	if term > rf.currentTerm {
		rf.currentTerm = term
		rf.votedFor = -1
		rf.persist()
	}
	if rf.state == StateLeader {
		rf.resetElectionTimer()
	}
	rf.state = StateFollower
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
	upToDate := args.LastLogTerm > rf.lastLogTerm() ||
		(args.LastLogTerm == rf.lastLogTerm() && args.LastLogIndex >= rf.lastLogIndex())
	if (rf.votedFor == -1 || rf.votedFor == args.CandidateId) && upToDate {
		rf.votedFor = args.CandidateId
		rf.persist()
		reply.VoteGranted = true
		rf.resetElectionTimer()
	}
}

func (rf *Raft) startElection() {
	rf.state = StateCandidate
	rf.currentTerm++
	rf.votedFor = rf.me
	rf.persist()
	rf.resetElectionTimer()
	args := &RequestVoteArgs{
		Term:         rf.currentTerm,
		CandidateId:  rf.me,
		LastLogIndex: rf.lastLogIndex(),
		LastLogTerm:  rf.lastLogTerm(),
	}
	votes := 1
	for i := range rf.peers {
		if i == rf.me {
			continue
		}
		go func(server int) {
			reply := &RequestVoteReply{}
			if !rf.peers[server].Call("Raft.RequestVote", args, reply) {
				return
			}
			rf.mu.Lock()
			defer rf.mu.Unlock()
			if reply.Term > rf.currentTerm {
				rf.becomeFollower(reply.Term)
				return
			}
			if rf.state != StateCandidate || rf.currentTerm != args.Term || !reply.VoteGranted {
				return
			}
			votes++
			if votes == len(rf.peers)/2+1 {
				rf.becomeLeader()
			}
		}(i)
	}
}

func (rf *Raft) becomeLeader() {
	rf.state = StateLeader
	for i := range rf.peers {
		rf.nextIndex[i] = rf.lastLogIndex() + 1
		rf.matchIndex[i] = 0
	}
	rf.matchIndex[rf.me] = rf.lastLogIndex()
	go rf.heartbeats(rf.currentTerm)
}

// heartbeats runs while this server leads term.
func (rf *Raft) heartbeats(term int) {
	for rf.killed() == false {
		rf.mu.Lock()
		if rf.state != StateLeader || rf.currentTerm != term {
			rf.mu.Unlock()
			return
		}
		rf.broadcast()
		rf.mu.Unlock()
		time.Sleep(HeartbeatInterval)
	}
}

// ---- replication ----

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
	XTerm   int // term of the conflicting entry, -1 if none
	XIndex  int // first index of XTerm
	XLen    int // length of the follower's log
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
	rf.resetElectionTimer()

	prevIndex, prevTerm, entries := args.PrevLogIndex, args.PrevLogTerm, args.Entries
	if prevIndex < rf.snapIndex {
		// the start is in our snapshot already
		skip := rf.snapIndex - prevIndex
		if skip >= len(entries) {
			reply.Success = true
			return
		}
		entries = entries[skip:]
		prevIndex, prevTerm = rf.snapIndex, rf.snapTerm
	}

	if prevIndex > rf.lastLogIndex() {
		reply.XTerm = -1
		reply.XLen = rf.lastLogIndex() + 1
		return
	}
	if t := rf.entryAt(prevIndex).Term; t != prevTerm {
		reply.XTerm = t
		i := prevIndex
		for i > rf.snapIndex+1 && rf.entryAt(i-1).Term == t {
			i--
		}
		reply.XIndex = i
		reply.XLen = rf.lastLogIndex() + 1
		return
	}

	changed := false
	for i, e := range entries {
		index := prevIndex + 1 + i
		if index <= rf.lastLogIndex() {
			if rf.entryAt(index).Term == e.Term {
				continue
			}
			rf.log = rf.log[:index-rf.snapIndex]
		}
		rf.log = append(rf.log, entries[i:]...)
		changed = true
		break
	}
	if changed {
		rf.persist()
	}
	reply.Success = true

	if args.LeaderCommit > rf.commitIndex {
		lastNew := prevIndex + len(entries)
		newCommit := args.LeaderCommit
		if lastNew < newCommit {
			newCommit = lastNew
		}
		if newCommit > rf.commitIndex {
			rf.commitIndex = newCommit
		}
	}
}

// broadcast sends every follower what it needs. Hold rf.mu.
func (rf *Raft) broadcast() {
	for i := range rf.peers {
		if i == rf.me {
			continue
		}
		if rf.nextIndex[i] <= rf.snapIndex {
			go rf.sendSnapshot(i)
		} else {
			go rf.sendEntries(i)
		}
	}
}

func (rf *Raft) sendEntries(server int) {
	rf.mu.Lock()
	if rf.state != StateLeader {
		rf.mu.Unlock()
		return
	}
	next := rf.nextIndex[server]
	if next <= rf.snapIndex {
		rf.mu.Unlock()
		rf.sendSnapshot(server)
		return
	}
	entries := make([]LogEntry, rf.lastLogIndex()-next+1)
	copy(entries, rf.log[next-rf.snapIndex:])
	args := &AppendEntriesArgs{
		Term:         rf.currentTerm,
		LeaderId:     rf.me,
		PrevLogIndex: next - 1,
		PrevLogTerm:  rf.entryAt(next - 1).Term,
		Entries:      entries,
		LeaderCommit: rf.commitIndex,
	}
	rf.mu.Unlock()

	reply := &AppendEntriesReply{}
	if !rf.peers[server].Call("Raft.AppendEntries", args, reply) {
		return
	}

	rf.mu.Lock()
	defer rf.mu.Unlock()
	if reply.Term > rf.currentTerm {
		rf.becomeFollower(reply.Term)
		return
	}
	if rf.state != StateLeader || rf.currentTerm != args.Term {
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
		rf.advanceCommit()
		return
	}
	if rf.nextIndex[server] != next {
		return // an old reply: nextIndex has moved since
	}
	if reply.XTerm == -1 {
		rf.nextIndex[server] = reply.XLen
	} else {
		last := -1
		for i := rf.lastLogIndex(); i > rf.snapIndex; i-- {
			if rf.entryAt(i).Term == reply.XTerm {
				last = i
				break
			}
		}
		if last != -1 {
			rf.nextIndex[server] = last + 1
		} else {
			rf.nextIndex[server] = reply.XIndex
		}
	}
	if rf.nextIndex[server] < 1 {
		rf.nextIndex[server] = 1
	}
	// try again right away
	if rf.nextIndex[server] <= rf.snapIndex {
		go rf.sendSnapshot(server)
	} else {
		go rf.sendEntries(server)
	}
}

// advanceCommit commits the highest index of this term that a majority
// has. Hold rf.mu.
func (rf *Raft) advanceCommit() {
	for n := rf.lastLogIndex(); n > rf.commitIndex && n > rf.snapIndex; n-- {
		if rf.entryAt(n).Term != rf.currentTerm {
			break
		}
		count := 0
		for i := range rf.peers {
			if rf.matchIndex[i] >= n {
				count++
			}
		}
		if count > len(rf.peers)/2 {
			rf.commitIndex = n
			break
		}
	}
}

func (rf *Raft) Start(command interface{}) (int, int, bool) {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	if rf.state != StateLeader || rf.killed() {
		return -1, rf.currentTerm, false
	}
	rf.log = append(rf.log, LogEntry{Term: rf.currentTerm, Command: command})
	rf.persist()
	index := rf.lastLogIndex()
	rf.matchIndex[rf.me] = index
	rf.broadcast()
	return index, rf.currentTerm, true
}

// ---- background ----

func (rf *Raft) ticker() {
	for rf.killed() == false {
		rf.mu.Lock()
		if rf.state != StateLeader && time.Since(rf.lastHeard) > rf.electionTimeout {
			rf.startElection()
		}
		rf.mu.Unlock()

		// pause for a random amount of time between 10 and 50 ms
		ms := 10 + (rand.Int63() % 40)
		time.Sleep(time.Duration(ms) * time.Millisecond)
	}
}

func (rf *Raft) applier() {
	for !rf.killed() {
		rf.mu.Lock()
		var msgs []raftapi.ApplyMsg
		if rf.pendingSnap {
			rf.pendingSnap = false
			msgs = append(msgs, raftapi.ApplyMsg{
				SnapshotValid: true,
				Snapshot:      rf.snapshot,
				SnapshotTerm:  rf.snapTerm,
				SnapshotIndex: rf.snapIndex,
			})
			if rf.lastApplied < rf.snapIndex {
				rf.lastApplied = rf.snapIndex
			}
		} else {
			for rf.lastApplied < rf.commitIndex {
				rf.lastApplied++
				msgs = append(msgs, raftapi.ApplyMsg{
					CommandValid: true,
					Command:      rf.entryAt(rf.lastApplied).Command,
					CommandIndex: rf.lastApplied,
				})
			}
		}
		rf.mu.Unlock()

		for _, msg := range msgs {
			if rf.killed() {
				return
			}
			rf.applyCh <- msg
		}
		if len(msgs) == 0 {
			time.Sleep(10 * time.Millisecond)
		}
	}
}

func (rf *Raft) Kill() {
	atomic.StoreInt32(&rf.dead, 1)
}

func (rf *Raft) killed() bool {
	z := atomic.LoadInt32(&rf.dead)
	return z == 1
}

func Make(peers []*labrpc.ClientEnd, me int,
	persister *raftapi.Persister, applyCh chan raftapi.ApplyMsg) raftapi.Raft {
	rf := &Raft{}
	rf.peers = peers
	rf.persister = persister
	rf.me = me
	rf.applyCh = applyCh

	rf.state = StateFollower
	rf.votedFor = -1
	rf.log = make([]LogEntry, 1) // dummy entry at index 0
	rf.nextIndex = make([]int, len(peers))
	rf.matchIndex = make([]int, len(peers))

	// initialize from state persisted before a crash
	rf.readPersist(persister.ReadRaftState())
	rf.snapshot = persister.ReadSnapshot()
	rf.commitIndex = rf.snapIndex
	rf.lastApplied = rf.snapIndex
	rf.resetElectionTimer()

	go rf.ticker()
	go rf.applier()

	return rf
}
