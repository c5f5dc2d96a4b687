package raft

// Style: readPersist decodes straight into the Raft's fields, after Make has
// given them their first values (votedFor = -1, a log holding one dummy
// entry), as MIT's skeleton comment suggests and much 6.5840 code does.
//
// labgob prints a warning for each decode into a variable that is not
// zero, as MIT's labgob does; gob always sends a whole int and a whole
// slice whose entries it rewrites, so nothing old survives here, the line
// says so, and it costs nothing.
//
// A lab 1-4 Raft in the 2023-24 layout: log[0] is a dummy holding the last
// entry the snapshot covers; one ticker goroutine sends heartbeats and
// starts elections; Start sends at once; a rejected AppendEntries is retried
// at once with the XTerm/XIndex/XLen backup; a Cond applier that Kill wakes
// is the only sender on applyCh. Nothing leaks after Kill.

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

const (
	Follower = iota
	Candidate
	Leader
)

const (
	HeartbeatInterval = 100 * time.Millisecond
	TickInterval      = 10 * time.Millisecond
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
	currentTerm       int
	votedFor          int
	log               []LogEntry // log[0] is the dummy, at lastIncludedIndex
	lastIncludedIndex int
	lastIncludedTerm  int
	snapshot          []byte

	// volatile
	commitIndex int
	lastApplied int
	nextIndex   []int
	matchIndex  []int

	state         int
	electionTime  time.Time
	lastBroadcast time.Time

	applyCh         chan raftapi.ApplyMsg
	applyCond       *sync.Cond
	snapshotPending bool
}

// ---- log helpers (indexes are Raft indexes) ----

func (rf *Raft) lastLogIndex() int {
	return rf.lastIncludedIndex + len(rf.log) - 1
}

func (rf *Raft) lastLogTerm() int {
	return rf.log[len(rf.log)-1].Term
}

func (rf *Raft) entryAt(index int) LogEntry {
	return rf.log[index-rf.lastIncludedIndex]
}

func (rf *Raft) GetState() (int, bool) {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	return rf.currentTerm, rf.state == Leader
}

// ---- persistence ----

func (rf *Raft) raftState() []byte {
	w := new(bytes.Buffer)
	e := labgob.NewEncoder(w)
	e.Encode(rf.currentTerm)
	e.Encode(rf.votedFor)
	e.Encode(rf.lastIncludedIndex)
	e.Encode(rf.lastIncludedTerm)
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

// readPersist restores what persist saved, decoding into the fields that
// Make has already initialised.
func (rf *Raft) readPersist(data []byte) {
	if data == nil || len(data) < 1 {
		return
	}
	r := bytes.NewBuffer(data)
	d := labgob.NewDecoder(r)
	if d.Decode(&rf.currentTerm) != nil ||
		d.Decode(&rf.votedFor) != nil ||
		d.Decode(&rf.lastIncludedIndex) != nil ||
		d.Decode(&rf.lastIncludedTerm) != nil ||
		d.Decode(&rf.log) != nil {
		panic("readPersist: failed to decode the saved state")
	}
}

// ---- snapshots ----

// Snapshot is called by the service: it has a snapshot of everything
// through index, so the log before it can go.
func (rf *Raft) Snapshot(index int, snapshot []byte) {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	if index <= rf.lastIncludedIndex || index > rf.commitIndex {
		return
	}
	term := rf.entryAt(index).Term
	newLog := make([]LogEntry, 0, rf.lastLogIndex()-index+1)
	newLog = append(newLog, LogEntry{Term: term})
	newLog = append(newLog, rf.log[index-rf.lastIncludedIndex+1:]...)
	rf.log = newLog
	rf.lastIncludedIndex = index
	rf.lastIncludedTerm = term
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

func (rf *Raft) InstallSnapshot(args *InstallSnapshotArgs, reply *InstallSnapshotReply) {
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
		newLog = append(newLog, rf.log[args.LastIncludedIndex-rf.lastIncludedIndex+1:]...)
		rf.log = newLog
	} else {
		rf.log = []LogEntry{{Term: args.LastIncludedTerm}}
	}
	rf.lastIncludedIndex = args.LastIncludedIndex
	rf.lastIncludedTerm = args.LastIncludedTerm
	rf.snapshot = args.Data
	rf.commitIndex = args.LastIncludedIndex
	rf.snapshotPending = true
	rf.persist()
	rf.applyCond.Broadcast()
}

func (rf *Raft) sendSnapshot(server int) {
	rf.mu.Lock()
	if rf.state != Leader {
		rf.mu.Unlock()
		return
	}
	args := &InstallSnapshotArgs{
		Term:              rf.currentTerm,
		LeaderId:          rf.me,
		LastIncludedIndex: rf.lastIncludedIndex,
		LastIncludedTerm:  rf.lastIncludedTerm,
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
	if rf.state != Leader || rf.currentTerm != args.Term {
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
	rf.electionTime = time.Now().Add(time.Duration(ms) * time.Millisecond)
}

// becomeFollower moves to term (if newer) as a follower. Hold rf.mu.
func (rf *Raft) becomeFollower(term int) {
	if term > rf.currentTerm {
		rf.currentTerm = term
		rf.votedFor = -1
		rf.persist()
	}
	if rf.state == Leader {
		rf.resetElectionTimer()
	}
	rf.state = Follower
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
	rf.state = Candidate
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
			if rf.state != Candidate || rf.currentTerm != args.Term || !reply.VoteGranted {
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
	rf.state = Leader
	for i := range rf.peers {
		rf.nextIndex[i] = rf.lastLogIndex() + 1
		rf.matchIndex[i] = 0
	}
	rf.matchIndex[rf.me] = rf.lastLogIndex()
	rf.broadcast()
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
	if prevIndex < rf.lastIncludedIndex {
		// the start is in our snapshot already
		skip := rf.lastIncludedIndex - prevIndex
		if skip >= len(entries) {
			reply.Success = true
			return
		}
		entries = entries[skip:]
		prevIndex, prevTerm = rf.lastIncludedIndex, rf.lastIncludedTerm
	}

	if prevIndex > rf.lastLogIndex() {
		reply.XTerm = -1
		reply.XLen = rf.lastLogIndex() + 1
		return
	}
	if t := rf.entryAt(prevIndex).Term; t != prevTerm {
		reply.XTerm = t
		i := prevIndex
		for i > rf.lastIncludedIndex+1 && rf.entryAt(i-1).Term == t {
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
			rf.log = rf.log[:index-rf.lastIncludedIndex]
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
			rf.applyCond.Broadcast()
		}
	}
}

// broadcast sends every follower what it needs. Hold rf.mu.
func (rf *Raft) broadcast() {
	rf.lastBroadcast = time.Now()
	for i := range rf.peers {
		if i == rf.me {
			continue
		}
		if rf.nextIndex[i] <= rf.lastIncludedIndex {
			go rf.sendSnapshot(i)
		} else {
			go rf.sendEntries(i)
		}
	}
}

func (rf *Raft) sendEntries(server int) {
	rf.mu.Lock()
	if rf.state != Leader {
		rf.mu.Unlock()
		return
	}
	next := rf.nextIndex[server]
	if next <= rf.lastIncludedIndex {
		rf.mu.Unlock()
		rf.sendSnapshot(server)
		return
	}
	entries := make([]LogEntry, rf.lastLogIndex()-next+1)
	copy(entries, rf.log[next-rf.lastIncludedIndex:])
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
		for i := rf.lastLogIndex(); i > rf.lastIncludedIndex; i-- {
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
	if rf.nextIndex[server] <= rf.lastIncludedIndex {
		go rf.sendSnapshot(server)
	} else {
		go rf.sendEntries(server)
	}
}

// advanceCommit commits the highest index of this term that a majority
// has. Hold rf.mu.
func (rf *Raft) advanceCommit() {
	for n := rf.lastLogIndex(); n > rf.commitIndex && n > rf.lastIncludedIndex; n-- {
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
			rf.applyCond.Broadcast()
			break
		}
	}
}

func (rf *Raft) Start(command interface{}) (int, int, bool) {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	if rf.state != Leader || rf.killed() {
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
	for !rf.killed() {
		rf.mu.Lock()
		if rf.state == Leader {
			if time.Since(rf.lastBroadcast) >= HeartbeatInterval {
				rf.broadcast()
			}
		} else if time.Now().After(rf.electionTime) {
			rf.startElection()
		}
		rf.mu.Unlock()
		time.Sleep(TickInterval)
	}
}

func (rf *Raft) applier() {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	for !rf.killed() {
		if rf.snapshotPending {
			rf.snapshotPending = false
			msg := raftapi.ApplyMsg{
				SnapshotValid: true,
				Snapshot:      rf.snapshot,
				SnapshotTerm:  rf.lastIncludedTerm,
				SnapshotIndex: rf.lastIncludedIndex,
			}
			if rf.lastApplied < rf.lastIncludedIndex {
				rf.lastApplied = rf.lastIncludedIndex
			}
			rf.mu.Unlock()
			if !rf.killed() {
				rf.applyCh <- msg
			}
			rf.mu.Lock()
			continue
		}
		if rf.lastApplied < rf.commitIndex {
			var msgs []raftapi.ApplyMsg
			for i := rf.lastApplied + 1; i <= rf.commitIndex; i++ {
				msgs = append(msgs, raftapi.ApplyMsg{
					CommandValid: true,
					Command:      rf.entryAt(i).Command,
					CommandIndex: i,
				})
			}
			rf.lastApplied = rf.commitIndex
			rf.mu.Unlock()
			for _, msg := range msgs {
				if rf.killed() {
					break
				}
				rf.applyCh <- msg
			}
			rf.mu.Lock()
			continue
		}
		rf.applyCond.Wait()
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

func Make(peers []*labrpc.ClientEnd, me int,
	persister *raftapi.Persister, applyCh chan raftapi.ApplyMsg) raftapi.Raft {
	rf := &Raft{}
	rf.peers = peers
	rf.persister = persister
	rf.me = me
	rf.applyCh = applyCh
	rf.applyCond = sync.NewCond(&rf.mu)

	rf.state = Follower
	rf.currentTerm = 0
	rf.votedFor = -1
	rf.log = []LogEntry{{}}
	rf.nextIndex = make([]int, len(peers))
	rf.matchIndex = make([]int, len(peers))

	// initialize from state persisted before a crash
	rf.readPersist(persister.ReadRaftState())
	rf.snapshot = persister.ReadSnapshot()
	rf.commitIndex = rf.lastIncludedIndex
	rf.lastApplied = rf.lastIncludedIndex
	rf.resetElectionTimer()

	go rf.ticker()
	go rf.applier()

	return rf
}
