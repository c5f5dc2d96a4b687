package raft

// This is your Raft from lab 4: carry it over with go run ./cmd/carryover
// lab5 (which keeps a backup of this file and leaves server.go, client.go
// and common.go alone). This skeleton only compiles. Lab 5 builds a
// key/value service on it (server.go, client.go, common.go; read
// docs/lab5-kvraft.md); the lab 1 to 4 tests still run here, so a Raft
// bug the service uncovers can be chased with them.
//
// What the tests call (keep these signatures):
//
//	rf := Make(peers, me, persister, applyCh)  // start a server
//	rf.GetState() (term, isLeader)             // lab 1
//	rf.Start(command) (index, term, isLeader)  // lab 2
//	rf.Snapshot(index, snapshot)               // lab 4
//	rf.Kill()                                  // stop a server
//
// The course's rule: never hold rf.mu across an RPC call, a time.Sleep or a
// channel send. The tests run on a virtual clock and stop a test that
// breaks it, naming the goroutine.

import (
	"math/rand"
	"sync"
	"sync/atomic"
	"time"

	"raftlabs/labrpc"
	"raftlabs/raftapi"
)

// Raft is one server.
type Raft struct {
	mu        sync.Mutex          // guards the fields below it
	peers     []*labrpc.ClientEnd // ends for calling every server, this one included
	persister *raftapi.Persister  // this server's disk (lab 3)
	me        int                 // this server's index in peers
	dead      int32               // set by Kill

	// Your data here: Figure 2's state, plus whatever the election needs
	// (the role, when the election timer was last reset, ...).
}

// GetState returns the current term and whether this server believes it is
// the leader.
func (rf *Raft) GetState() (int, bool) {
	var term int
	var isLeader bool
	// Your code here (lab 1).
	return term, isLeader
}

// persist saves Figure 2's persistent state (currentTerm, votedFor, log)
// with rf.persister.Save, encoded with labgob (lab 3). Call it with rf.mu
// held, after every change to them and before the server answers an RPC or
// sends one that depends on the change; nothing once killed() is true.
// docs/lab3-persistence.md, "What to persist, and when", says why.
func (rf *Raft) persist() {
	// Your code here (lab 3). For example:
	//
	//	w := new(bytes.Buffer)
	//	e := labgob.NewEncoder(w)
	//	e.Encode(rf.currentTerm)
	//	e.Encode(rf.votedFor)
	//	e.Encode(rf.log)
	//	rf.persister.Save(w.Bytes(), nil) // lab 4 passes the snapshot here
}

// readPersist restores state saved by persist (lab 3). Make calls it with
// rf.persister.ReadRaftState() and nothing else: a restarted server knows
// only what its persister holds. Data it cannot decode is a bug to report
// (panic with a message), never a reason to start empty.
func (rf *Raft) readPersist(data []byte) {
	if len(data) < 1 {
		return // no saved state: first boot
	}
	// Your code here (lab 3). For example:
	//
	//	d := labgob.NewDecoder(bytes.NewBuffer(data))
	//	var currentTerm, votedFor int
	//	var log []LogEntry
	//	if d.Decode(&currentTerm) != nil || d.Decode(&votedFor) != nil || d.Decode(&log) != nil {
	//		panic("readPersist: cannot decode the saved state")
	//	}
	//	rf.currentTerm, rf.votedFor, rf.log = currentTerm, votedFor, log
}

// Snapshot tells the server that the service has saved a snapshot of every
// entry up to and including index, so the log may drop them (lab 4). The
// service calls it from the goroutine that reads applyCh and waits for it
// to return. Keep snapshot: persist saves it (Save's second argument), and
// a lagging follower is sent it in InstallSnapshot.
func (rf *Raft) Snapshot(index int, snapshot []byte) {
	// Your code here (lab 4).
}

// InstallSnapshotArgs is the InstallSnapshot RPC's arguments (Figure 13).
// Send the whole snapshot in one RPC: Figure 13's offset and done are not
// needed. The tests send an InstallSnapshot of their own, so keep
// Figure 13's names: Term, LeaderId, LastIncludedIndex, LastIncludedTerm,
// and the snapshot in Data ([]byte).
type InstallSnapshotArgs struct {
	// Your data here (lab 4).
}

// InstallSnapshotReply is the InstallSnapshot RPC's reply (Figure 13).
type InstallSnapshotReply struct {
	// Your data here (lab 4).
}

// InstallSnapshot is the InstallSnapshot RPC handler: a leader calls it
// when the entries this server needs next are gone from the leader's log.
func (rf *Raft) InstallSnapshot(args *InstallSnapshotArgs, reply *InstallSnapshotReply) {
	// Your code here (lab 4): Figure 13's receiver implementation. Hand the
	// snapshot to the service on applyCh (SnapshotValid), in order with the
	// entries, and never while holding rf.mu.
}

// RequestVoteArgs is the RequestVote RPC's arguments (Figure 2). Field
// names must start with an upper-case letter: the RPC library only sends
// exported fields.
type RequestVoteArgs struct {
	// Your data here (lab 1).
}

// RequestVoteReply is the RequestVote RPC's reply (Figure 2).
type RequestVoteReply struct {
	// Your data here (lab 1).
}

// RequestVote is the RequestVote RPC handler: other servers call it with
// rf.peers[i].Call("Raft.RequestVote", &args, &reply).
func (rf *Raft) RequestVote(args *RequestVoteArgs, reply *RequestVoteReply) {
	// Your code here (lab 1).
}

// AppendEntriesArgs is the AppendEntries RPC's arguments (Figure 2): the
// leader's heartbeat and its way of copying log entries to a follower.
type AppendEntriesArgs struct {
	// Your data here (lab 2).
}

// AppendEntriesReply is the AppendEntries RPC's reply (Figure 2), plus
// whatever hints let the leader back up nextIndex a term at a time.
type AppendEntriesReply struct {
	// Your data here (lab 2).
}

// AppendEntries is the AppendEntries RPC handler.
func (rf *Raft) AppendEntries(args *AppendEntriesArgs, reply *AppendEntriesReply) {
	// Your code here (lab 2): Figure 2's receiver implementation, rules 1–5.
}

// sendRequestVote sends a RequestVote RPC to server and waits for the reply.
// It returns true if a reply arrived, false if the network lost the request
// or the reply, or the server is down. A false can take a while: never call
// it while holding rf.mu. Pass a fresh, zero reply each time.
func (rf *Raft) sendRequestVote(server int, args *RequestVoteArgs, reply *RequestVoteReply) bool {
	return rf.peers[server].Call("Raft.RequestVote", args, reply)
}

// Start asks the leader to append command to the log and returns at once
// with the index it will have if committed, the current term, and whether
// this server is the leader (lab 2).
func (rf *Raft) Start(command any) (int, int, bool) {
	index := -1
	term := -1
	isLeader := false
	// Your code here (lab 2).
	return index, term, isLeader
}

// Kill stops the server, as a crash would. Every long-running goroutine
// must check killed() and return once it is true; the tests report those
// still running as leaks. A goroutine that gets an RPC's reply after Kill
// must drop it: no more persist, no more RPCs, nothing on applyCh.
func (rf *Raft) Kill() {
	atomic.StoreInt32(&rf.dead, 1)
	// Your code here, if needed.
}

func (rf *Raft) killed() bool {
	return atomic.LoadInt32(&rf.dead) == 1
}

// ticker starts an election when this server has heard nothing from a
// leader for an election timeout.
func (rf *Raft) ticker() {
	for !rf.killed() {
		// Your code here (lab 1): if this server is not the leader and its
		// election timeout has passed since it last heard from a leader or
		// granted a vote, start an election.

		// Pause for a random time, so that servers do not all time out
		// together. math/rand's global functions, unlike math/rand/v2's,
		// are seeded from the test's seed, so a failure replays.
		ms := 50 + rand.Intn(300)
		time.Sleep(time.Duration(ms) * time.Millisecond)
	}
}

// Make creates a server. peers are the ends for calling every server (the
// same order on all of them), me is this server's index, persister is its
// disk, and applyCh is where it sends each committed entry (lab 2). Make
// must return quickly: start long-running work in goroutines.
func Make(peers []*labrpc.ClientEnd, me int,
	persister *raftapi.Persister, applyCh chan raftapi.ApplyMsg) raftapi.Raft {
	rf := &Raft{}
	rf.peers = peers
	rf.persister = persister
	rf.me = me

	// Your initialization code here (lab 1, 2). In lab 2, start an
	// applier goroutine that sends each newly committed entry on applyCh,
	// in index order, without holding rf.mu while it sends.

	// Restore state saved before a crash (lab 3): after this call, and
	// only from it, the server has the term, vote and log it saved.
	rf.readPersist(persister.ReadRaftState())

	go rf.ticker()

	return rf
}
