package solutions

import "time"

// Lab 2: log replication (§5.3) and committing (§5.3, §5.4.2). Applying
// the committed entries is in apply.go.

// batchDelay is how long a replicator waits, when it has something new for
// its peer, before building the AppendEntries. Starts that arrive meanwhile
// ride in the same RPC instead of each costing one RPC per follower. It is
// short next to a network round trip, so it adds little to the time a
// command takes to commit.
const batchDelay = time.Millisecond

// AppendEntriesArgs is Figure 2's AppendEntries RPC arguments. With no
// Entries it is a heartbeat.
type AppendEntriesArgs struct {
	Term         int        // leader's term
	LeaderID     int        // so the follower knows who leads (unused until a service redirects clients)
	PrevLogIndex int        // index of the log entry immediately preceding the new ones
	PrevLogTerm  int        // term of the PrevLogIndex entry
	Entries      []LogEntry // entries to store (empty for a heartbeat)
	LeaderCommit int        // leader's commitIndex
}

// AppendEntriesReply is Figure 2's AppendEntries RPC results, plus three
// fields that let a leader skip back over a whole conflicting term at once
// instead of one entry per round trip (the optimization sketched at the end
// of §5.3). They are set only when Success is false and Term is the
// leader's:
//
//   - XTerm is the term of the follower's entry at PrevLogIndex, or -1 if
//     the follower's log has no entry there;
//   - XIndex is the index of the follower's first entry of term XTerm;
//   - XLen is the length of the follower's log, counting the dummy entry at
//     index 0: its last index plus one.
type AppendEntriesReply struct {
	Term    int  // currentTerm, for the leader to update itself
	Success bool // true if the follower had an entry matching PrevLogIndex and PrevLogTerm

	XTerm  int
	XIndex int
	XLen   int
}

// Start asks the leader to add command to the log. It returns at once, with
// the index the command will have if it is ever committed and the current
// term; replication happens in the background. A server that is not the
// leader appends nothing and returns isLeader false.
func (rf *Raft) Start(command any) (int, int, bool) {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	if rf.killed() || rf.state != leader {
		return -1, rf.currentTerm, false
	}

	// Leaders: "If command received from client: append entry to local
	// log, respond after entry applied to state machine". The second half
	// is the service's business: it waits for the command on applyCh.
	rf.appendEntries(LogEntry{Term: rf.currentTerm, Command: command})
	rf.persist()
	index := rf.lastIndex()
	rf.matchIndex[rf.me] = index

	// Wake every replicator. Each waits batchDelay before sending, so a
	// burst of Starts goes out in one AppendEntries per follower.
	for peer := range rf.peers {
		if peer != rf.me {
			rf.replicateCond[peer].Broadcast()
		}
	}
	rf.advanceCommit() // in a cluster of one, the leader alone is a majority
	return index, rf.currentTerm, true
}

// ---------------------------------------------------------------------
// The leader's side.

// replicator is the leader's sender for one peer during one term; it ends
// when the server stops being leader of that term, or is killed. It sends
// an AppendEntries
//
//   - when a heartbeat is due: heartbeatInterval after the previous
//     AppendEntries to this peer, whatever became of that one (Leaders:
//     "repeat during idle periods to prevent election timeouts"), and
//   - as soon as there is news for the peer (entries it lacks, or a
//     commitIndex it has not been told) and no earlier AppendEntries to it
//     is waiting for its reply (Leaders: "If last log index ≥ nextIndex for
//     a follower: send AppendEntries RPC with log entries starting at
//     nextIndex").
//
// Keeping one RPC in flight, not one per Start, is what batches entries:
// whatever is appended while an RPC is out goes in the next one, and
// nothing is sent twice while its first copy may still arrive. Each RPC is
// sent from a goroutine of its own, so a Call that hangs (the peer is
// unreachable) holds nothing up: the next heartbeat goes out on time, from
// a new goroutine.
func (rf *Raft) replicator(peer int, term int) {
	// The timer wakes this goroutine when a heartbeat falls due; each send
	// pushes it back by heartbeatInterval.
	timer := time.AfterFunc(heartbeatInterval, func() {
		rf.mu.Lock()
		defer rf.mu.Unlock()
		rf.replicateCond[peer].Broadcast()
	})
	defer timer.Stop()

	for !rf.killed() {
		early, ok := rf.waitToSend(peer, term)
		if !ok {
			return
		}
		if early {
			time.Sleep(batchDelay) // mu is not held: Starts can add entries
		}
		if !rf.sendNext(peer, term, timer) {
			return
		}
	}
}

// waitToSend blocks until an AppendEntries to peer is due. early reports that
// it is due because of news rather than a heartbeat. ok is false if the
// server is no longer leader of term, or has been killed.
func (rf *Raft) waitToSend(peer int, term int) (early bool, ok bool) {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	for !rf.killed() && rf.isLeaderOf(term) {
		if !time.Now().Before(rf.heartbeatAt[peer]) {
			return false, true
		}
		hasNews := rf.nextIndex[peer] <= rf.lastIndex() || rf.commitSent[peer] < rf.commitIndex
		if hasNews && !rf.inFlight[peer] {
			return true, true
		}
		// Woken by Start, by a reply, by a commit, by the heartbeat timer,
		// by stepping down, or by Kill.
		rf.replicateCond[peer].Wait()
	}
	return false, false
}

// sendNext sends peer an AppendEntries carrying every entry from its
// nextIndex on, in a goroutine of its own. It returns false if the server is
// no longer leader of term, or has been killed.
func (rf *Raft) sendNext(peer int, term int, timer *time.Timer) bool {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	if rf.killed() || !rf.isLeaderOf(term) {
		return false
	}
	next := rf.nextIndex[peer]
	if next <= rf.firstIndex() && rf.answered[peer] {
		// Lab 4: the entries the peer needs next are in our snapshot, so
		// send the snapshot instead (Figure 13). It counts as the RPC in
		// flight, and as the heartbeat.
		rf.markSent(peer, timer)
		rf.sendSnapshot(peer)
		return true
	}
	if next <= rf.firstIndex() {
		// The peer needs the snapshot but has not answered us in this
		// term: it may be unreachable, or back from a partition with a
		// higher term, and would refuse the snapshot after receiving all
		// of it. An AppendEntries of the entries after the snapshot (a few
		// at most) asks first; its answer also says whether the peer has
		// the snapshot's last entry already, and then needs no snapshot.
		next = rf.firstIndex() + 1
	}
	args := &AppendEntriesArgs{
		Term:         rf.currentTerm,
		LeaderID:     rf.me,
		PrevLogIndex: next - 1,
		PrevLogTerm:  rf.termAt(next - 1),
		Entries:      rf.slice(next),
		LeaderCommit: rf.commitIndex,
	}
	rf.sendSeq[peer]++
	rf.inFlight[peer] = true
	rf.commitSent[peer] = args.LeaderCommit
	rf.heartbeatAt[peer] = time.Now().Add(heartbeatInterval)
	timer.Reset(heartbeatInterval)
	go rf.sendAppendEntries(peer, rf.sendSeq[peer], args)
	return true
}

// markSent records an RPC to peer that is not an AppendEntries (an
// InstallSnapshot) as the latest one sent: it is in flight, and the next
// heartbeat is due heartbeatInterval from now. Call it with mu held.
func (rf *Raft) markSent(peer int, timer *time.Timer) {
	rf.inFlight[peer] = true
	rf.sendSeq[peer]++
	timer.Reset(heartbeatInterval)
	rf.heartbeatAt[peer] = time.Now().Add(heartbeatInterval)
}

// lost records that an RPC of term to peer got no answer, so a snapshot
// sent to it now might not arrive either (sendNext).
func (rf *Raft) lost(peer int, term int) {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	if rf.isLeaderOf(term) {
		rf.answered[peer] = false
	}
}

// isLeaderOf reports whether this server is still the leader of term. Call
// it with mu held.
func (rf *Raft) isLeaderOf(term int) bool {
	return rf.state == leader && rf.currentTerm == term
}

// sendAppendEntries sends one AppendEntries and acts on the reply. seq is
// the RPC's number among those sent to peer.
func (rf *Raft) sendAppendEntries(peer int, seq int, args *AppendEntriesArgs) {
	reply := &AppendEntriesReply{}
	if !rf.peers[peer].Call("Raft.AppendEntries", args, reply) {
		// Lost. inFlight stays set, so the replicator does not resend at
		// once (a peer that fails every call fast would make that a busy
		// loop); the next heartbeat, at most heartbeatInterval away,
		// carries the same entries again.
		rf.lost(peer, args.Term)
		return
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
	// A reply counts only if we are still the leader that sent it. A
	// reply whose term is not the request's came from a killed server,
	// which answers nothing: treat it as lost.
	if !rf.isLeaderOf(args.Term) || reply.Term != args.Term {
		return
	}
	if seq == rf.sendSeq[peer] {
		rf.inFlight[peer] = false // the latest RPC is answered: the next may go
		rf.answered[peer] = true
	}

	if reply.Success {
		// The peer's log now matches ours through the last entry we sent.
		// Replies can arrive out of order, so only ever move forward.
		match := args.PrevLogIndex + len(args.Entries)
		rf.matchIndex[peer] = max(rf.matchIndex[peer], match)
		rf.nextIndex[peer] = max(rf.nextIndex[peer], match+1)
		rf.advanceCommit()
	} else if args.PrevLogIndex == rf.nextIndex[peer]-1 {
		// Leaders: "If AppendEntries fails because of log inconsistency:
		// decrement nextIndex and retry". A rejection of an older probe
		// (PrevLogIndex no longer nextIndex-1) is skipped: a later reply
		// speaks for where nextIndex is now.
		rf.nextIndex[peer] = rf.backedUpNextIndex(peer, reply)
	}
	rf.replicateCond[peer].Broadcast() // there may be more to send at once
}

// backedUpNextIndex is where the next probe to a peer that rejected an
// AppendEntries should start: decrementing nextIndex by one per round trip
// would take 50 round trips to get past 50 divergent entries, so the reply
// says what the follower has and we jump (§5.3, end):
//
//   - The follower's log is too short to have an entry at PrevLogIndex
//     (XTerm == -1): start right after its last entry, at XLen.
//   - Its entry there has term XTerm, and our log has entries of XTerm too.
//     Both logs got their XTerm entries from XTerm's leader, so they agree
//     through our last entry of XTerm (the follower's run of XTerm entries
//     starts no later and ends past it): start right after it.
//   - Our log has no entry of term XTerm: none of the follower's entries
//     of XTerm can be kept, so start at the first of them, XIndex.
//
// Each case lands strictly below the rejected PrevLogIndex+1, so probing
// ends; the next rejection, if any, jumps again. Call it with mu held.
func (rf *Raft) backedUpNextIndex(peer int, reply *AppendEntriesReply) int {
	var next int
	if reply.XTerm == -1 {
		next = reply.XLen
	} else if last := rf.lastIndexOfTerm(reply.XTerm); last != -1 {
		next = last + 1
	} else {
		next = reply.XIndex
	}
	// Never below what the peer is known to hold, nor below index 1 (index
	// 0 matches everywhere). At or below firstIndex, the entries are in our
	// snapshot: sendNext then sends the snapshot (lab 4).
	return max(next, rf.matchIndex[peer]+1, 1)
}

// lastIndexOfTerm is the index of our last entry of term, or -1 if the log
// has none. Terms never decrease along a log, so we scan back from the end
// and stop at the first older term. Call it with mu held.
func (rf *Raft) lastIndexOfTerm(term int) int {
	for i := rf.lastIndex(); i > rf.firstIndex(); i-- {
		t := rf.termAt(i)
		if t == term {
			return i
		}
		if t < term {
			break
		}
	}
	return -1
}

// advanceCommit moves commitIndex forward if a majority now hold a later
// entry. Leaders: "If there exists an N such that N > commitIndex, a
// majority of matchIndex[i] ≥ N, and log[N].term == currentTerm: set
// commitIndex = N".
//
// The term test is §5.4.2 (Figure 8): an entry from an earlier term can be
// on a majority and still be overwritten by a later leader, so a leader
// never commits such an entry by counting replicas. It becomes committed
// only when an entry of the leader's own term after it is, because
// committing index N commits everything before it. Hence the scan starts
// at the last index and stops at the first entry of an earlier term.
// Call it with mu held.
func (rf *Raft) advanceCommit() {
	for n := rf.lastIndex(); n > rf.commitIndex && rf.termAt(n) == rf.currentTerm; n-- {
		replicas := 0
		for peer := range rf.peers {
			if rf.matchIndex[peer] >= n { // matchIndex[me] is our own lastIndex
				replicas++
			}
		}
		if replicas > len(rf.peers)/2 {
			rf.commitIndex = n
			rf.applyCond.Signal()
			// Tell the followers promptly, so that they apply too; an
			// AppendEntries already on its way will carry it when it
			// returns.
			for p := range rf.peers {
				if p != rf.me {
					rf.replicateCond[p].Broadcast()
				}
			}
			return
		}
	}
}

// ---------------------------------------------------------------------
// The follower's side.

// AppendEntries is the RPC handler the leader calls (Figure 2,
// AppendEntries RPC, "Receiver implementation"). It is also the heartbeat.
func (rf *Raft) AppendEntries(args *AppendEntriesArgs, reply *AppendEntriesReply) {
	if rf.killed() {
		return // a crashed server does not answer; the zero reply is ignored
	}
	rf.mu.Lock()
	defer rf.mu.Unlock()

	// All Servers: a later term makes us a follower of it.
	if args.Term > rf.currentTerm {
		rf.becomeFollower(args.Term)
	}
	reply.Term = rf.currentTerm

	// Receiver rule 1: "Reply false if term < currentTerm (§5.1)". The
	// reply's term tells the stale leader to step down.
	if args.Term < rf.currentTerm {
		return
	}

	// The sender is the leader of our term. Candidates: "If AppendEntries
	// RPC received from new leader: convert to follower". Followers: hearing
	// from the current leader resets the election timer.
	if rf.state == candidate {
		rf.becomeFollower(args.Term)
	}
	rf.resetElectionTimer()

	// Lab 4: entries through firstIndex are in our snapshot, so they are
	// committed and match the leader's; look only at the entries after it.
	if skip := rf.firstIndex() - args.PrevLogIndex; skip > 0 {
		args.PrevLogIndex, args.PrevLogTerm = rf.firstIndex(), rf.termAt(rf.firstIndex())
		args.Entries = args.Entries[min(skip, len(args.Entries)):]
	}

	// Receiver rule 2: "Reply false if log doesn't contain an entry at
	// prevLogIndex whose term matches prevLogTerm (§5.3)". Say why, so the
	// leader can back up past the whole mismatch (see backedUpNextIndex).
	if args.PrevLogIndex > rf.lastIndex() {
		reply.XTerm = -1
		reply.XLen = rf.lastIndex() + 1
		return
	}
	if term := rf.termAt(args.PrevLogIndex); term != args.PrevLogTerm {
		reply.XTerm = term
		reply.XLen = rf.lastIndex() + 1
		first := args.PrevLogIndex
		for first-1 > rf.firstIndex() && rf.termAt(first-1) == term {
			first--
		}
		reply.XIndex = first
		return
	}

	// The logs match through PrevLogIndex (Log Matching, §5.3).
	// Receiver rule 3: "If an existing entry conflicts with a new one (same
	// index but different terms), delete the existing entry and all that
	// follow it". Receiver rule 4: "Append any new entries not already in
	// the log". Entries we already have are left alone, and nothing after
	// them is deleted: this RPC may be an old one, overtaken by a later
	// one that appended more, and those entries must not be lost.
	for i, e := range args.Entries {
		index := args.PrevLogIndex + 1 + i
		if index <= rf.lastIndex() && rf.termAt(index) == e.Term {
			continue // already have it
		}
		if index <= rf.lastIndex() {
			rf.truncateFrom(index) // rule 3
		}
		rf.appendEntries(args.Entries[i:]...) // rule 4
		rf.persist()
		break
	}
	reply.Success = true

	// Receiver rule 5: "If leaderCommit > commitIndex, set commitIndex =
	// min(leaderCommit, index of last new entry)". The last new entry is
	// the last one this RPC vouched for, not our last entry: anything after
	// it has not been checked against the leader's log.
	lastNew := args.PrevLogIndex + len(args.Entries)
	if newCommit := min(args.LeaderCommit, lastNew); newCommit > rf.commitIndex {
		rf.commitIndex = newCommit
		rf.applyCond.Signal()
	}
}
