package solutions

import (
	"math/rand"
	"time"
)

// Lab 1: leader election (§5.1, §5.2, and the voting restriction of §5.4.1).

// The timing constants. §5.6 asks for broadcastTime ≪ electionTimeout:
//
//   - A leader sends a heartbeat to each peer every heartbeatInterval when it
//     has nothing else to send. The tests allow at most ten RPCs a second per
//     peer on an idle cluster, so 100 ms is as fast as we may go.
//   - A follower waits a random time in [electionTimeoutMin,
//     electionTimeoutMax) without hearing from a leader before it stands for
//     election. The minimum is three heartbeats, so a follower does not start
//     an election because one or two heartbeats were dropped by an unreliable
//     network (10% each). The range is 300 ms wide, several times a round
//     trip (at most ~55 ms), so usually one server times out, asks for votes
//     and wins before the next one times out: split votes are rare, and a new
//     leader is normally in place well under a second after the old one is
//     lost, far inside the tests' 5 s, with 7 servers too.
const (
	heartbeatInterval  = 100 * time.Millisecond
	electionTimeoutMin = 300 * time.Millisecond
	electionTimeoutMax = 600 * time.Millisecond
)

// RequestVoteArgs is Figure 2's RequestVote RPC arguments.
type RequestVoteArgs struct {
	Term         int // candidate's term
	CandidateID  int // candidate requesting the vote
	LastLogIndex int // index of candidate's last log entry (§5.4)
	LastLogTerm  int // term of candidate's last log entry (§5.4)
}

// RequestVoteReply is Figure 2's RequestVote RPC results.
type RequestVoteReply struct {
	Term        int  // currentTerm, for the candidate to update itself
	VoteGranted bool // true means the candidate received the vote
}

// resetElectionTimer picks a new random election timeout, counted from now.
// Figure 2, Rules for Servers, Followers: a follower starts an election if
// the timeout elapses "without receiving AppendEntries RPC from current
// leader or granting vote to candidate"; so it is reset exactly then, and
// when an election starts (Candidates: "Reset election timer"). The timeout
// comes from math/rand's global source, which the tests seed from the test's
// seed so that a failure replays (math/rand/v2's cannot be seeded).
func (rf *Raft) resetElectionTimer() {
	spread := int64(electionTimeoutMax - electionTimeoutMin)
	timeout := electionTimeoutMin + time.Duration(rand.Int63n(spread))
	rf.electionDeadline = time.Now().Add(timeout)
}

// ticker runs for the server's whole life. It sleeps until the election
// deadline and starts an election if the deadline has really passed (a
// heartbeat may have pushed it back meanwhile, and then it sleeps again).
func (rf *Raft) ticker() {
	for !rf.killed() {
		rf.mu.Lock()
		if rf.state != leader && !time.Now().Before(rf.electionDeadline) {
			rf.startElection()
		}
		wait := time.Until(rf.electionDeadline)
		if rf.state == leader {
			// A leader never times out. Look again later: if it steps
			// down, becomeFollower gives it a fresh deadline.
			wait = electionTimeoutMin
		}
		rf.mu.Unlock()
		time.Sleep(wait)
	}
}

// startElection turns this server into a candidate for a new term and asks
// every peer for its vote (Figure 2, Rules for Servers, Candidates: "On
// conversion to candidate, start election: increment currentTerm, vote for
// self, reset election timer, send RequestVote RPCs to all other servers").
// Call it with mu held.
func (rf *Raft) startElection() {
	rf.state = candidate
	rf.currentTerm++
	rf.votedFor = rf.me
	rf.persist()
	rf.resetElectionTimer()

	args := &RequestVoteArgs{
		Term:         rf.currentTerm,
		CandidateID:  rf.me,
		LastLogIndex: rf.lastIndex(),
		LastLogTerm:  rf.lastTerm(),
	}
	votes := 1 // our own; guarded by mu like the rest
	if votes > len(rf.peers)/2 {
		rf.becomeLeader() // a cluster of one
		return
	}
	for peer := range rf.peers {
		if peer != rf.me {
			// One goroutine per peer: a slow or unreachable peer must not
			// delay the others, and mu is not held across Call.
			go rf.requestVote(peer, args, &votes)
		}
	}
}

// requestVote sends one RequestVote and counts the answer. votes is shared
// by all the requests of one election and guarded by mu.
func (rf *Raft) requestVote(peer int, args *RequestVoteArgs, votes *int) {
	reply := &RequestVoteReply{}
	if !rf.peers[peer].Call("Raft.RequestVote", args, reply) {
		return // no answer; if the election fails, the next timeout retries
	}
	rf.mu.Lock()
	defer rf.mu.Unlock()
	if rf.killed() {
		return // a reply that arrives after Kill changes nothing
	}

	// All Servers: "If RPC request or response contains term T >
	// currentTerm: set currentTerm = T, convert to follower".
	if reply.Term > rf.currentTerm {
		rf.becomeFollower(reply.Term)
		return
	}
	// The answer counts only for the election it was asked for: we may
	// have won already, lost, or moved on to a later term.
	if rf.state != candidate || rf.currentTerm != args.Term || !reply.VoteGranted {
		return
	}
	*votes++
	// Candidates: "If votes received from majority of servers: become
	// leader". The test is == rather than > so that only the vote that
	// makes the majority acts; later votes find state == leader anyway.
	if *votes == len(rf.peers)/2+1 {
		rf.becomeLeader()
	}
}

// RequestVote is the RPC handler a candidate calls (Figure 2, RequestVote
// RPC, "Receiver implementation").
func (rf *Raft) RequestVote(args *RequestVoteArgs, reply *RequestVoteReply) {
	if rf.killed() {
		return // a crashed server does not vote; the zero reply is ignored
	}
	rf.mu.Lock()
	defer rf.mu.Unlock()

	// All Servers: a request from a later term makes us a follower of that
	// term, with no vote cast in it yet.
	if args.Term > rf.currentTerm {
		rf.becomeFollower(args.Term)
	}
	reply.Term = rf.currentTerm

	// Receiver rule 1: "Reply false if term < currentTerm (§5.1)".
	if args.Term < rf.currentTerm {
		return
	}

	// Receiver rule 2: "If votedFor is null or candidateId, and candidate's
	// log is at least as up-to-date as receiver's log, grant vote".
	// One vote per term (§5.2): votedFor was cleared if the term just moved.
	if rf.votedFor != -1 && rf.votedFor != args.CandidateID {
		return
	}
	// §5.4.1, "up-to-date": the log whose last entry has the later term is
	// more up-to-date; if the last terms are equal, the longer log is.
	// Refusing a candidate whose log is behind ours guarantees that a
	// leader holds every committed entry (Leader Completeness).
	upToDate := args.LastLogTerm > rf.lastTerm() ||
		(args.LastLogTerm == rf.lastTerm() && args.LastLogIndex >= rf.lastIndex())
	if !upToDate {
		return
	}
	rf.votedFor = args.CandidateID
	rf.persist() // the vote must survive a crash before the candidate learns of it
	reply.VoteGranted = true
	// Followers: granting a vote resets the election timer, so we give the
	// candidate we voted for time to win.
	rf.resetElectionTimer()
}

// becomeFollower adopts term (if it is later than ours) and the follower
// role. Call it with mu held.
func (rf *Raft) becomeFollower(term int) {
	if term > rf.currentTerm {
		rf.currentTerm = term
		rf.votedFor = -1 // a new term: we have not voted in it
		rf.persist()
	}
	if rf.state == leader {
		// A deposed leader has not been counting down to an election.
		// Give the new leader a full timeout to reach us before we stand.
		rf.resetElectionTimer()
		// Wake the replicators so they see they are no longer needed.
		for _, c := range rf.replicateCond {
			c.Broadcast()
		}
	}
	rf.state = follower
}

// becomeLeader takes over after winning an election. Call it with mu held.
func (rf *Raft) becomeLeader() {
	rf.state = leader
	// Volatile state on leaders, "reinitialized after election": nextIndex
	// to the leader's last log index + 1, matchIndex to 0.
	for peer := range rf.peers {
		rf.nextIndex[peer] = rf.lastIndex() + 1
		rf.matchIndex[peer] = 0
		rf.inFlight[peer] = false
		rf.commitSent[peer] = 0
		rf.answered[peer] = false
		// Leaders: "Upon election: send initial empty AppendEntries RPCs
		// (heartbeat) to each server": the first heartbeat is due now.
		rf.heartbeatAt[peer] = time.Now()
	}
	rf.matchIndex[rf.me] = rf.lastIndex()

	// One replicator per peer, for this term only (replication.go). It
	// sends the heartbeats that keep the followers from starting
	// elections, and in lab 2 the log entries too.
	for peer := range rf.peers {
		if peer != rf.me {
			go rf.replicator(peer, rf.currentTerm)
		}
	}
}
