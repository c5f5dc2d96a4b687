package a

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"labrpc"
)

type Raft struct {
	mu          sync.Mutex
	cond        *sync.Cond
	dead        atomic.Bool
	peers       []*labrpc.ClientEnd
	applyCh     chan int
	kick        chan struct{}
	deadline    time.Time
	leader      bool
	lastApplied int
	commitIndex int
	log         []int
}

func (rf *Raft) killed() bool { return rf.dead.Load() }

func (rf *Raft) startElection() {}

func Make(peers []*labrpc.ClientEnd) *Raft {
	rf := &Raft{peers: peers}
	go rf.spinningTicker()
	go rf.selectDefault()
	go rf.forever()
	go rf.outer()
	go func() {
		for !rf.killed() { // want `loop in func literal in Make never sleeps or blocks`
			runtime.Gosched()
		}
	}()
	time.AfterFunc(time.Second, func() {
		for rf.leader { // want `loop in func literal in Make never sleeps or blocks`
		}
	})
	go rf.ticker()
	go rf.applier()
	go rf.replicator()
	go rf.waitForKick()
	go rf.countDown()
	return rf
}

// The classic mistakes.

func (rf *Raft) spinningTicker() {
	for !rf.killed() { // want `loop in rf.spinningTicker never sleeps or blocks: it spins, and the tests' clock stops while it runs`
		rf.mu.Lock()
		if time.Now().After(rf.deadline) {
			rf.startElection()
		}
		rf.mu.Unlock()
	}
}

func (rf *Raft) selectDefault() {
	for { // want `loop in rf.selectDefault never sleeps or blocks`
		select {
		case <-rf.kick:
			return
		default:
		}
	}
}

func (rf *Raft) forever() {
	rf.spin()
}

func (rf *Raft) spin() {
	for { // want `loop in rf.spin never sleeps or blocks`
		if rf.killed() {
			return
		}
	}
}

func (rf *Raft) outer() {
	for !rf.killed() {
		for rf.leader { // want `loop in rf.outer never sleeps or blocks`
			rf.mu.Lock()
			rf.mu.Unlock()
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func MakeSpinning() *Raft {
	rf := &Raft{}
	for !rf.killed() { // want `loop in MakeSpinning never sleeps or blocks`
	}
	return rf
}

// The tricky negatives.

func (rf *Raft) ticker() {
	for !rf.killed() {
		rf.mu.Lock()
		if time.Now().After(rf.deadline) {
			rf.startElection()
		}
		rf.mu.Unlock()
		time.Sleep(10 * time.Millisecond)
	}
}

// waitForWork blocks on the Cond.
func (rf *Raft) waitForWork() []int {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	for rf.lastApplied >= rf.commitIndex {
		rf.cond.Wait()
	}
	return nil
}

func (rf *Raft) applier() {
	for !rf.killed() {
		for _, m := range rf.waitForWork() {
			rf.applyCh <- m
		}
		rf.mu.Lock()
		for rf.lastApplied < rf.commitIndex { // steps towards its end
			rf.lastApplied++
		}
		rf.mu.Unlock()
	}
}

func (rf *Raft) replicator() {
	for !rf.killed() {
		for i := range rf.peers {
			rf.peers[i].Call("Raft.AppendEntries", nil, nil)
		}
	}
}

func (rf *Raft) waitForKick() {
	for {
		select {
		case <-rf.kick:
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (rf *Raft) countDown() {
	first := len(rf.log) - 1
	for first > 0 && rf.log[first-1] == rf.log[first] {
		first--
	}
	i := len(rf.log)
	for {
		i--
		if i < 0 || rf.log[i] == 0 {
			break
		}
	}
	for rf.log[len(rf.log)-1] > 0 {
		rf.log = rf.log[:len(rf.log)-1]
	}
}

// notAGoroutine is called by the tests, not run as a goroutine of the Raft.
func (rf *Raft) notAGoroutine() {
	for rf.leader {
	}
}

func (rf *Raft) hasWork() bool { return rf.lastApplied < rf.commitIndex }

func (rf *Raft) applyOne() { rf.lastApplied++ }

// drain's loops count towards their end through the methods they call.
func (rf *Raft) drain() {
	for rf.hasWork() {
		rf.applyOne()
	}
	for rf.lastApplied < rf.commitIndex {
		rf.applyOne()
	}
}

func (rf *Raft) startDrain() {
	go rf.drain()
}
