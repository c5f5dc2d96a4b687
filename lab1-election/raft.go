package raft

// This is the file you edit. It is a Raft server that does nothing yet:
// it compiles, and the tests fail because no leader is ever elected.
//
// Read docs/lab1-election.md first, then the Raft paper's §5.1–5.2 and
// Figure 2 (the "State", "RequestVote RPC" and "Rules for Servers" boxes).
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

	"raftlabs/labdebug"
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

// persist saves Figure 2's persistent state with rf.persister.Save (lab 3).
func (rf *Raft) persist() {
	// Your code here (lab 3).
}

// readPersist restores state saved by persist (lab 3).
func (rf *Raft) readPersist(data []byte) {
	if len(data) < 1 {
		return // no saved state: first boot
	}
	// Your code here (lab 3).
}

// Snapshot tells the server that the service has saved a snapshot of every
// entry up to and including index, so the log may drop them (lab 4).
func (rf *Raft) Snapshot(index int, snapshot []byte) {
	// Your code here (lab 4).
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

// Kill stops the server. Every long-running goroutine must check killed()
// and return once it is true, and Kill must wake any that wait (on a
// sync.Cond, say) so that they see it; the tests report those still
// running as leaks.
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
		// election timeout has passed, start an election. The timeout
		// restarts exactly where Figure 2 says: on an AppendEntries from
		// the leader of the current term, on granting a vote, and on
		// starting an election (and, in this course, when a leader steps
		// down). A vote refused, or a message from an older term, restarts
		// nothing. The pause below spreads the servers' elections out; if
		// each timeout is itself random (docs/lab1-election.md, Hints), a
		// short fixed pause does instead.

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
	// labdebug.Printf prints a line with the test's time when asked to
	// (go test -debug all) and adds it to the test's trace; see
	// docs/debugging.md.
	labdebug.Printf(me, labdebug.Info, "started with %d peers", len(peers))

	// Your initialization code here (lab 1, 2, 3).

	// Restore state saved before a crash (lab 3).
	rf.readPersist(persister.ReadRaftState())

	go rf.ticker()

	return rf
}
