package solutions

// Lab 4: log compaction (§7, Figure 13). The service saves a snapshot of
// its state every so often and calls Snapshot; the log then keeps only the
// entries after the snapshot, behind a dummy entry that stands for the
// snapshot's last included entry (raft.go's log helpers). A follower so far
// behind that the entries it needs are gone gets the snapshot itself, in
// InstallSnapshot.

// Snapshot is the service's word that it has saved a snapshot of every
// command up to and including index, so the log through index may be
// discarded (§7: "each server takes snapshots independently, covering just
// the committed entries in its log"). An index at or below the current
// snapshot, or beyond what this server has handed to the service (and so
// possibly beyond commitIndex), is ignored: the first is old news, and the
// second could drop entries that are not committed, or not yet applied.
func (rf *Raft) Snapshot(index int, snapshot []byte) {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	if index <= rf.firstIndex() || index > rf.lastApplied {
		return
	}
	rf.compactThrough(index, rf.termAt(index))
	rf.snapshot = append([]byte(nil), snapshot...)
	rf.persist()
}

// InstallSnapshotArgs is Figure 13's InstallSnapshot RPC arguments. The
// whole snapshot travels in one RPC, so Figure 13's offset and done (for
// sending it in chunks) are left out.
type InstallSnapshotArgs struct {
	Term              int    // leader's term
	LeaderID          int    // so the follower knows who leads
	LastIncludedIndex int    // the snapshot replaces all entries up through and including this index
	LastIncludedTerm  int    // term of lastIncludedIndex
	Data              []byte // the snapshot, as the service made it
}

// InstallSnapshotReply is Figure 13's InstallSnapshot RPC results.
type InstallSnapshotReply struct {
	Term int // currentTerm, for the leader to update itself
}

// InstallSnapshot is the RPC handler a leader calls when the entries a
// follower needs next are already in its snapshot (Figure 13, "Receiver
// implementation").
func (rf *Raft) InstallSnapshot(args *InstallSnapshotArgs, reply *InstallSnapshotReply) {
	if rf.killed() {
		return // a crashed server does not answer
	}
	rf.mu.Lock()
	defer rf.mu.Unlock()

	if args.Term > rf.currentTerm {
		rf.becomeFollower(args.Term)
	}
	reply.Term = rf.currentTerm
	// Receiver rule 1: "Reply immediately if term < currentTerm".
	if args.Term < rf.currentTerm {
		return
	}
	if rf.state == candidate {
		rf.becomeFollower(args.Term)
	}
	rf.resetElectionTimer()

	// A snapshot that covers no more than we have committed is old news
	// (a late or repeated RPC): everything in it is committed here already
	// and may have been applied, so installing it would take the service
	// back in time and could drop entries after it that we hold.
	if args.LastIncludedIndex <= rf.commitIndex {
		return
	}

	if args.LastIncludedIndex <= rf.lastIndex() && rf.termAt(args.LastIncludedIndex) == args.LastIncludedTerm {
		// Rule 6: "If existing log entry has same index and term as
		// snapshot's last included entry, retain log entries following it
		// and reply". (The service is still told: the snapshot is past
		// what it has applied.)
		rf.compactThrough(args.LastIncludedIndex, args.LastIncludedTerm)
	} else {
		// Rule 7: "Discard the entire log". A new slice: the old one's
		// array, and its entries, are freed.
		rf.log = []LogEntry{{Term: args.LastIncludedTerm}}
		rf.snapshotIndex = args.LastIncludedIndex
	}
	rf.snapshot = append([]byte(nil), args.Data...)
	rf.persist()

	// Rule 8: "Reset state machine using snapshot contents": the applier
	// hands the snapshot to the service, after whatever it is sending now
	// and before any entry that follows it (apply.go).
	rf.commitIndex = args.LastIncludedIndex
	rf.lastApplied = args.LastIncludedIndex
	rf.snapshotPending = true
	rf.applyCond.Signal()
}

// sendSnapshot sends peer our snapshot, from a goroutine of its own, when
// the entries it needs next have been compacted away. Call it with mu held.
func (rf *Raft) sendSnapshot(peer int) {
	args := &InstallSnapshotArgs{
		Term:              rf.currentTerm,
		LeaderID:          rf.me,
		LastIncludedIndex: rf.firstIndex(),
		LastIncludedTerm:  rf.termAt(rf.firstIndex()),
		Data:              rf.snapshot,
	}
	go rf.sendInstallSnapshot(peer, rf.sendSeq[peer], args)
}

// sendInstallSnapshot sends one InstallSnapshot and acts on the reply. seq
// is the RPC's number among those sent to peer.
func (rf *Raft) sendInstallSnapshot(peer int, seq int, args *InstallSnapshotArgs) {
	reply := &InstallSnapshotReply{}
	if !rf.peers[peer].Call("Raft.InstallSnapshot", args, reply) {
		// Lost: the next heartbeat asks whether the peer is there before
		// sending the snapshot again (sendNext, sendAppendEntries).
		rf.lost(peer, args.Term)
		return
	}
	rf.mu.Lock()
	defer rf.mu.Unlock()
	if reply.Term > rf.currentTerm {
		rf.becomeFollower(reply.Term)
		return
	}
	if !rf.isLeaderOf(args.Term) || reply.Term != args.Term {
		return
	}
	if seq == rf.sendSeq[peer] {
		rf.inFlight[peer] = false
		rf.answered[peer] = true
	}
	// The peer now holds everything through the snapshot: replication goes
	// on from just past it. Replies arrive out of order: only move forward.
	rf.matchIndex[peer] = max(rf.matchIndex[peer], args.LastIncludedIndex)
	rf.nextIndex[peer] = max(rf.nextIndex[peer], args.LastIncludedIndex+1)
	rf.advanceCommit()
	rf.replicateCond[peer].Broadcast()
}
