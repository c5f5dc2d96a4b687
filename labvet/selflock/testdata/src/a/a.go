package a

import (
	"sync"

	"labrpc"
)

type Raft struct {
	mu     sync.Mutex
	rw     sync.RWMutex
	peers  []*labrpc.ClientEnd
	term   int
	leader bool
}

func (rf *Raft) GetState() (int, bool) {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	return rf.term, rf.leader
}

// The classic mistakes.

func (rf *Raft) lockTwice() {
	rf.mu.Lock()
	rf.term++
	rf.mu.Lock() // want `rf.mu locked again while already held \(locked at a.go:\d+\): sync.Mutex is not reentrant`
	rf.mu.Unlock()
}

func (rf *Raft) ticker() {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	if _, leader := rf.GetState(); leader { // want `call to rf.GetState with rf.mu held \(locked at a.go:\d+\): it locks rf.mu again \(a.go:\d+\)`
		rf.term++
	}
}

func (rf *Raft) becomeLeader() {
	rf.mu.Lock()
	rf.leader = true
	rf.mu.Unlock()
}

func (rf *Raft) startElection() {
	rf.term++
	rf.becomeLeader()
}

func (rf *Raft) throughAHelper() {
	rf.mu.Lock()
	rf.startElection() // want `call to rf.startElection with rf.mu held .*: it locks rf.mu again \(rf.becomeLeader at a.go:\d+\)`
	rf.mu.Unlock()
}

func (rf *Raft) writeUnderRead() {
	rf.rw.RLock()
	rf.rw.Lock() // want `rf.rw locked again while already held`
	rf.rw.Unlock()
	rf.rw.RUnlock()
}

// The tricky negatives.

// isLeader expects rf.mu held.
func (rf *Raft) isLeader() bool { return rf.leader }

func (rf *Raft) innerVersion() {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	if rf.isLeader() {
		rf.term++
	}
}

func (rf *Raft) afterUnlock() {
	rf.mu.Lock()
	rf.term++
	rf.mu.Unlock()
	rf.GetState()
}

// relock expects rf.mu held: it unlocks before it locks.
func (rf *Raft) relock() {
	rf.mu.Unlock()
	rf.peers[0].Call("Raft.Ping", nil, nil)
	rf.mu.Lock()
}

func (rf *Raft) callsRelock() {
	rf.mu.Lock()
	rf.relock()
	rf.mu.Unlock()
}

func (rf *Raft) inAGoroutine() {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	go rf.GetState()
	go func() {
		rf.mu.Lock()
		rf.term++
		rf.mu.Unlock()
	}()
}

func (rf *Raft) twoReaders() {
	rf.rw.RLock()
	rf.rw.RLock()
	rf.rw.RUnlock()
	rf.rw.RUnlock()
}

func (rf *Raft) anotherServer(other *Raft) {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	other.GetState() // another Raft's lock
}

func (rf *Raft) lockedOnOnePath(b bool) {
	if b {
		rf.mu.Lock()
	}
	rf.GetState()
}

// persistLocking takes the lock only when its caller does not hold it.
func (rf *Raft) persistLocking(locked bool) {
	if !locked {
		rf.mu.Lock()
		defer rf.mu.Unlock()
	}
	rf.term++
}

func (rf *Raft) callsPersistLocked() {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	rf.persistLocking(true)
}
