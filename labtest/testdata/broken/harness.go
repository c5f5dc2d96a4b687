package broken

import (
	"time"

	"raftlabs/labrpc"
	"raftlabs/raftapi"
)

// SpinningMake never returns from Make and never blocks in it: the clock
// cannot reach Make's time limit, so the watchdog must name Make itself.
type SpinningMake struct{ base }

func MakeSpinningMake(peers []*labrpc.ClientEnd, me int, _ *raftapi.Persister, _ chan raftapi.ApplyMsg) *SpinningMake {
	rf := &SpinningMake{base{peers: peers, me: me}}
	for !rf.dead.Load() {
	}
	return rf
}

// ApplyUnderLock applies its entries, two at a time, while holding rf.mu,
// as an applier that loops "for lastApplied < commitIndex" under the lock
// does. A service that calls back into the server between messages
// (GetState) deadlocks with it.
type ApplyUnderLock struct{ base }

func MakeApplyUnderLock(peers []*labrpc.ClientEnd, me int, _ *raftapi.Persister, applyCh chan raftapi.ApplyMsg) *ApplyUnderLock {
	rf := &ApplyUnderLock{base{peers: peers, me: me}}
	go func() {
		for index := 1; !rf.dead.Load(); index += 2 {
			time.Sleep(100 * time.Millisecond)
			rf.mu.Lock()
			applyCh <- raftapi.ApplyMsg{CommandValid: true, Command: index, CommandIndex: index}
			applyCh <- raftapi.ApplyMsg{CommandValid: true, Command: index + 1, CommandIndex: index + 1}
			rf.mu.Unlock()
		}
	}()
	return rf
}
