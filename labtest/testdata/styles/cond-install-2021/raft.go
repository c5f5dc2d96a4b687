package raft

// Style: a 6.824 Raft of 2021, as its skeleton shaped it, ported with the
// edits docs/from-mit.md lists for that year: the imports, and two aliases
// for the ApplyMsg and Persister that 2021 declared in package raft.
//
// It persists with that year's Persister methods, SaveRaftState and
// SaveStateAndSnapshot. A snapshot from the leader is not installed by the
// InstallSnapshot handler: the handler hands it to the applier, which sends
// it on applyCh, and the Raft switches to it (trims its log, moves
// commitIndex and lastApplied) only when the service calls
// CondInstallSnapshot and it answers true, as 2021's lab asked. Without a
// service that calls CondInstallSnapshot, such a follower never catches up.
//
// The rest: log[0] is a dummy holding the last entry a snapshot covers; one
// ticker sends heartbeats and starts elections; Start sends at once; the
// XTerm/XIndex/XLen backup; a Cond applier that Kill wakes, the only
// sender on applyCh. Nothing leaks after Kill.

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

// ApplyMsg and Persister were declared in package raft in 2021.
type ApplyMsg = raftapi.ApplyMsg
type Persister = raftapi.Persister

type LogEntry struct {
	Term    int
	Command interface{}
}

type Raft struct {
	mu        sync.Mutex
	peers     []*labrpc.ClientEnd
	persister *Persister
	me        int
	dead      int32

	// persistent
	currentTerm       int
	votedFor          int
	log               []LogEntry // log[0] is the dummy, at lastIncludedIndex
	lastIncludedIndex int
	lastIncludedTerm  int

	// volatile
	commitIndex int
	lastApplied int
	nextIndex   []int
	matchIndex  []int

	state         int
	electionTime  time.Time
	lastBroadcast time.Time

	applyCh      chan ApplyMsg
	applyCond    *sync.Cond
	snapshotToGo *ApplyMsg // a leader's snapshot for the applier to send
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

func (rf *Raft) encodeState() []byte {
	w := new(bytes.Buffer)
	e := labgob.NewEncoder(w)
	e.Encode(rf.currentTerm)
	e.Encode(rf.votedFor)
	e.Encode(rf.lastIncludedIndex)
	e.Encode(rf.lastIncludedTerm)
	e.Encode(rf.log)
	return w.Bytes()
}

// save Raft's persistent state to stable storage,
// where it can later be retrieved after a crash and restart.
// see paper's Figure 2 for a description of what should be persistent.
func (rf *Raft) persist() {
	if rf.killed() {
		return
	}
	rf.persister.SaveRaftState(rf.encodeState())
}

// restore previously persisted state.
func (rf *Raft) readPersist(data []byte) {
	if data == nil || len(data) < 1 { // bootstrap without any state?
		return
	}
	r := bytes.NewBuffer(data)
	d := labgob.NewDecoder(r)
	var currentTerm int
	var votedFor int
	var lastIncludedIndex int
	var lastIncludedTerm int
	var log []LogEntry
	if d.Decode(&currentTerm) != nil ||
		d.Decode(&votedFor) != nil ||
		d.Decode(&lastIncludedIndex) != nil ||
		d.Decode(&lastIncludedTerm) != nil ||
		d.Decode(&log) != nil {
		panic("readPersist: decode error")
	} else {
		rf.currentTerm = currentTerm
		rf.votedFor = votedFor
		rf.lastIncludedIndex = lastIncludedIndex
		rf.lastIncludedTerm = lastIncludedTerm
		rf.log = log
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
	if !rf.killed() {
		rf.persister.SaveStateAndSnapshot(rf.encodeState(), snapshot)
	}
}

// A service wants to switch to snapshot.  Only do so if Raft hasn't
// have more recent info since it communicate the snapshot on applyCh.
func (rf *Raft) CondInstallSnapshot(lastIncludedTerm int, lastIncludedIndex int, snapshot []byte) bool {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	if lastIncludedIndex <= rf.commitIndex {
		return false
	}
	if lastIncludedIndex < rf.lastLogIndex() && rf.entryAt(lastIncludedIndex).Term == lastIncludedTerm {
		newLog := []LogEntry{{Term: lastIncludedTerm}}
		newLog = append(newLog, rf.log[lastIncludedIndex-rf.lastIncludedIndex+1:]...)
		rf.log = newLog
	} else {
		rf.log = []LogEntry{{Term: lastIncludedTerm}}
	}
	rf.lastIncludedIndex = lastIncludedIndex
	rf.lastIncludedTerm = lastIncludedTerm
	rf.commitIndex = lastIncludedIndex
	rf.lastApplied = lastIncludedIndex
	if !rf.killed() {
		rf.persister.SaveStateAndSnapshot(rf.encodeState(), snapshot)
	}
	return true
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
	// The service decides, through CondInstallSnapshot.
	rf.snapshotToGo = &ApplyMsg{
		SnapshotValid: true,
		Snapshot:      args.Data,
		SnapshotTerm:  args.LastIncludedTerm,
		SnapshotIndex: args.LastIncludedIndex,
	}
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
		Data:              rf.persister.ReadSnapshot(),
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
		if rf.snapshotToGo != nil {
			msg := *rf.snapshotToGo
			rf.snapshotToGo = nil
			rf.mu.Unlock()
			if !rf.killed() {
				rf.applyCh <- msg
			}
			rf.mu.Lock()
			continue
		}
		if rf.lastApplied < rf.commitIndex {
			var msgs []ApplyMsg
			for i := rf.lastApplied + 1; i <= rf.commitIndex; i++ {
				msgs = append(msgs, ApplyMsg{
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

// the service or tester wants to create a Raft server. the ports
// of all the Raft servers (including this one) are in peers[]. this
// server's port is peers[me]. all the servers' peers[] arrays
// have the same order. persister is a place for this server to
// save its persistent state, and also initially holds the most
// recent saved state, if any. applyCh is a channel on which the
// tester or service expects Raft to send ApplyMsg messages.
// Make() must return quickly, so it should start goroutines
// for any long-running work.
func Make(peers []*labrpc.ClientEnd, me int,
	persister *Persister, applyCh chan ApplyMsg) *Raft {
	rf := &Raft{}
	rf.peers = peers
	rf.persister = persister
	rf.me = me
	rf.applyCh = applyCh
	rf.applyCond = sync.NewCond(&rf.mu)

	rf.state = Follower
	rf.votedFor = -1
	rf.log = make([]LogEntry, 1)
	rf.nextIndex = make([]int, len(peers))
	rf.matchIndex = make([]int, len(peers))

	// initialize from state persisted before a crash
	rf.readPersist(persister.ReadRaftState())
	rf.commitIndex = rf.lastIncludedIndex
	rf.lastApplied = rf.lastIncludedIndex
	rf.resetElectionTimer()

	go rf.ticker()
	go rf.applier()

	return rf
}
