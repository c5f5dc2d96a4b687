package solutions

import "raftlabs/raftapi"

// Lab 2: applying committed entries (Figure 2, All Servers: "If commitIndex
// > lastApplied: increment lastApplied, apply log[lastApplied] to state
// machine").

// applier hands committed entries to the service, in order, for the
// server's whole life. All Servers: "If commitIndex > lastApplied:
// increment lastApplied, apply log[lastApplied] to state machine".
//
// It copies the messages out while holding mu and sends them without it:
// the service may be slow to read applyCh, or may call Start or GetState
// before it reads the next message, and neither may wait on our lock.
func (rf *Raft) applier() {
	for !rf.killed() {
		msgs := rf.waitForCommitted()
		for _, msg := range msgs {
			if !rf.deliver(msg) {
				return
			}
		}
	}
}

// waitForCommitted blocks until there are committed entries not yet
// applied, marks them applied and returns them as messages. It returns nil
// once the server is killed.
func (rf *Raft) waitForCommitted() []raftapi.ApplyMsg {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	for !rf.killed() && rf.lastApplied >= rf.commitIndex && !rf.snapshotPending {
		rf.applyCond.Wait() // woken when commitIndex moves, and by Kill
	}
	if rf.killed() {
		return nil
	}
	msgs := make([]raftapi.ApplyMsg, 0, 1+rf.commitIndex-rf.lastApplied)
	if rf.snapshotPending {
		// Lab 4: a snapshot from the leader (InstallSnapshot) goes to the
		// service in its place in the order: after every entry before it,
		// which were sent earlier, and before the entries after it, which
		// follow in this same batch. InstallSnapshot has already set
		// lastApplied to its last included index.
		rf.snapshotPending = false
		msgs = append(msgs, raftapi.ApplyMsg{
			SnapshotValid: true,
			Snapshot:      rf.snapshot,
			SnapshotTerm:  rf.termAt(rf.firstIndex()),
			SnapshotIndex: rf.firstIndex(),
		})
	}
	for i := rf.lastApplied + 1; i <= rf.commitIndex; i++ {
		msgs = append(msgs, raftapi.ApplyMsg{
			CommandValid: true,
			Command:      rf.entry(i).Command,
			CommandIndex: i,
		})
	}
	rf.lastApplied = rf.commitIndex
	return msgs
}

// deliver sends msg on applyCh without holding mu. It reports false, having
// sent nothing, once the server is killed: a killed server must not apply
// anything more, and if the service has stopped reading, Kill's closing of
// deadCh frees a send that would otherwise block forever.
func (rf *Raft) deliver(msg raftapi.ApplyMsg) bool {
	if rf.killed() {
		return false
	}
	select {
	case rf.applyCh <- msg:
		return true
	case <-rf.deadCh:
		return false
	}
}
