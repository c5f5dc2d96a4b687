// Package solutions is the course's reference Raft: one complete, readable
// implementation of the algorithm in the extended Raft paper, written to be
// read after you have finished a lab, so that you can compare your choices
// with another set. Reading it before you have made the lab pass yourself
// takes away most of what the lab teaches.
//
// # How it is laid out
//
// A file per stage of the course:
//
//   - raft.go: the Raft struct, with its state grouped as Figure 2 groups it;
//     Make, GetState and Kill; and the helpers through which all code reads
//     and changes the log, indexed from the snapshot's last included index.
//   - election.go (lab 1): terms, the election timer, RequestVote, becoming
//     candidate, leader or follower.
//   - replication.go (lab 2): Start, the leader's per-peer replicators,
//     AppendEntries on both sides, the fast backup of nextIndex, and
//     advancing commitIndex.
//   - apply.go (lab 2): the applier that feeds applyCh.
//   - persist.go (lab 3): persist and readPersist; and, not in Figure 2,
//     the log's encoding kept from one save to the next, so that a save
//     encodes only the entries appended since.
//   - snapshot.go (lab 4, §7 and Figure 13): Snapshot, InstallSnapshot on
//     both sides; apply.go hands an installed snapshot to the service.
//
// # How to read it
//
// Follow one server's life. Start with the Raft struct and Make. Then
// election.go top to bottom: ticker notices a silent leader, startElection
// asks for votes, RequestVote decides them, becomeLeader starts one
// replicator per peer. Then replication.go: Start appends a command and
// wakes the replicators; replicator, waitToSend and sendNext decide when an
// AppendEntries goes out; AppendEntries is the follower's side;
// sendAppendEntries handles the reply and calls advanceCommit; the applier
// (apply.go) delivers what is committed. Every comment that quotes Figure 2 is at the
// line that carries out the quoted rule.
//
// # Where Figure 2's rules live
//
//	State (persistent, volatile, leaders)   Raft struct, raft.go
//	Persistent state saved before replying  persist, persist.go (called where the state changes)
//	RequestVote receiver rules 1–2, §5.4.1  RequestVote, election.go
//	AppendEntries receiver rules 1–5        AppendEntries, replication.go
//	All Servers: apply committed entries    applier, waitForCommitted, apply.go
//	All Servers: higher term → follower     becomeFollower, called from every handler and reply
//	Followers: election timeout             ticker, resetElectionTimer, election.go
//	Candidates                              startElection, requestVote (election.go), AppendEntries
//	Leaders: heartbeats                     replicator, waitToSend, replication.go
//	Leaders: Start appends to local log     Start, replication.go
//	Leaders: send from nextIndex, back up   sendNext, sendAppendEntries, backedUpNextIndex
//	Leaders: advance commitIndex (§5.4.2)   advanceCommit, replication.go
//
// # The rules this code keeps
//
// rf.mu guards all of a server's state, and is never held across anything
// that can block: an RPC Call, a time.Sleep, or a send on applyCh. Work
// that would block runs in a goroutine of its own (one per RPC), or drops
// the lock first (the applier copies messages out under the lock and sends
// them without it). Every loop blocks or sleeps: goroutines wait on a
// sync.Cond or a timer, never by spinning. Every long-lived goroutine
// checks killed() and ends soon after Kill, and Kill wakes the ones that
// may be waiting.
package solutions
