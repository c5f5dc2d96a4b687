package a

import (
	"sync"
	"time"

	"labrpc"
)

type Args struct{ Term int }
type Reply struct{ Term int }

type Raft struct {
	mu        sync.Mutex
	rw        sync.RWMutex
	other     sync.Mutex
	peers     []*labrpc.ClientEnd
	applyCh   chan int
	kick      chan struct{}
	applyCond *sync.Cond
	otherCond *sync.Cond
	term      int
}

func newRaft() *Raft {
	rf := &Raft{}
	rf.applyCond = sync.NewCond(&rf.mu)
	rf.otherCond = sync.NewCond(&rf.other)
	return rf
}

// The classic mistakes.

func (rf *Raft) callUnderLock() {
	rf.mu.Lock()
	rf.peers[0].Call("Raft.RequestVote", &Args{}, &Reply{}) // want `rf.mu held across call to Raft.RequestVote \(may deadlock: unlock before sending\)`
	rf.mu.Unlock()
}

func (rf *Raft) deferUnlockThenCall() {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	var reply Reply
	rf.peers[0].Call("Raft.AppendEntries", &Args{}, &reply) // want `rf.mu held across call to Raft.AppendEntries \(may deadlock: unlock before sending; defer rf.mu.Unlock\(\) holds it to the end of the function\)`
}

func (rf *Raft) sleepUnderLock() {
	for {
		rf.mu.Lock()
		time.Sleep(10 * time.Millisecond) // want `rf.mu held across time.Sleep`
		rf.mu.Unlock()
	}
}

func (rf *Raft) sendUnderLock() {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	rf.applyCh <- rf.term // want `rf.mu held across send on rf.applyCh`
}

func (rf *Raft) selectSendUnderLock() {
	rf.mu.Lock()
	select {
	case rf.applyCh <- 1: // want `rf.mu held across send on rf.applyCh`
	case <-rf.kick:
	}
	rf.mu.Unlock()
}

func (rf *Raft) readLockAcrossCall() {
	rf.rw.RLock()
	rf.peers[0].Call("Raft.RequestVote", &Args{}, &Reply{}) // want `rf.rw held across call to Raft.RequestVote`
	rf.rw.RUnlock()
}

func (rf *Raft) waitOnAnotherLock() {
	rf.mu.Lock()
	rf.otherCond.Wait() // want `rf.mu held while waiting on rf.otherCond, which releases only its own lock other`
	rf.mu.Unlock()
}

// sendVote makes the RPC; callers must not hold rf.mu.
func (rf *Raft) sendVote(i int, args *Args, reply *Reply) bool {
	return rf.peers[i].Call("Raft.RequestVote", args, reply)
}

func (rf *Raft) broadcast() {
	for i := range rf.peers {
		rf.sendVote(i, &Args{}, &Reply{})
	}
}

func (rf *Raft) helperUnderLock() {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	rf.sendVote(0, &Args{}, &Reply{}) // want `rf.mu held across call to rf.sendVote, which calls Raft.RequestVote at a.go:\d+`
}

func (rf *Raft) nestedHelperUnderLock() {
	rf.mu.Lock()
	rf.broadcast() // want `rf.mu held across call to rf.broadcast, which calls Raft.RequestVote through rf.sendVote at a.go:\d+`
	rf.mu.Unlock()
}

func (rf *Raft) lock()   { rf.mu.Lock() }
func (rf *Raft) unlock() { rf.mu.Unlock() }

func (rf *Raft) lockHelpers() {
	rf.lock()
	rf.peers[0].Call("Raft.RequestVote", &Args{}, &Reply{}) // want `rf.mu held across call to Raft.RequestVote`
	rf.unlock()
	rf.peers[0].Call("Raft.RequestVote", &Args{}, &Reply{})
}

func (rf *Raft) heldOnBothBranches(leader bool) {
	if leader {
		rf.mu.Lock()
	} else {
		rf.mu.Lock()
		rf.term++
	}
	time.Sleep(time.Millisecond) // want `rf.mu held across time.Sleep`
	rf.mu.Unlock()
}

// The tricky negatives.

func (rf *Raft) unlockBeforeCall() {
	rf.mu.Lock()
	args := Args{Term: rf.term} // a copy of the state, taken under the lock
	rf.mu.Unlock()
	var reply Reply
	if rf.peers[0].Call("Raft.RequestVote", &args, &reply) {
		rf.mu.Lock()
		rf.term = reply.Term
		rf.mu.Unlock()
	}
}

func (rf *Raft) unlockOnEarlyReturn() {
	rf.mu.Lock()
	if rf.term > 0 {
		rf.mu.Unlock()
		return
	}
	args := Args{Term: rf.term}
	rf.mu.Unlock()
	rf.peers[0].Call("Raft.RequestVote", &args, &Reply{})
}

func (rf *Raft) goroutineStartedUnderLock() {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	args := Args{Term: rf.term}
	for i := range rf.peers {
		go func() {
			rf.peers[i].Call("Raft.RequestVote", &args, &Reply{})
		}()
		go rf.sendVote(i, &args, &Reply{})
	}
}

func (rf *Raft) waitOnOwnLock() {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	for rf.term == 0 {
		rf.applyCond.Wait()
	}
}

func (rf *Raft) nonBlockingKick() {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	select {
	case rf.kick <- struct{}{}:
	default:
	}
}

func (rf *Raft) heldOnOnePathOnly(leader bool) {
	if leader {
		rf.mu.Lock()
		rf.term++
		rf.mu.Unlock()
	}
	time.Sleep(time.Millisecond)
}

func (rf *Raft) deferInClosure() {
	func() {
		rf.mu.Lock()
		defer rf.mu.Unlock()
		rf.term++
	}()
	rf.peers[0].Call("Raft.RequestVote", &Args{}, &Reply{})
}

// callUnlocked is called with rf.mu held; it releases the lock around the
// RPC, so its caller holds nothing across it.
func (rf *Raft) callUnlocked() {
	rf.mu.Unlock()
	rf.peers[0].Call("Raft.RequestVote", &Args{}, &Reply{})
	rf.mu.Lock()
}

func (rf *Raft) releasesAroundTheCall() {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	rf.callUnlocked()
}

func (rf *Raft) timerUnderLock() {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	time.AfterFunc(time.Second, func() { rf.applyCh <- 1 })
}

// send makes the RPC itself only when async is false.
func (rf *Raft) send(async bool) {
	if async {
		go rf.sendVote(0, &Args{}, &Reply{})
		return
	}
	rf.sendVote(0, &Args{}, &Reply{})
}

func (rf *Raft) sendsAsyncUnderLock() {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	rf.send(true)
}
