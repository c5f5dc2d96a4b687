package broken

import (
	"sync"
	"sync/atomic"
	"time"

	"raftlabs/labrpc"
	"raftlabs/raftapi"
)

// base is the part every broken Raft shares: a lock, the peers, Kill.
type base struct {
	mu    sync.Mutex
	peers []*labrpc.ClientEnd
	me    int
	dead  atomic.Bool
}

func (rf *base) GetState() (int, bool) {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	return 0, false
}
func (rf *base) Start(any) (int, int, bool) { return -1, -1, false }
func (rf *base) Snapshot(int, []byte)       {}
func (rf *base) Kill()                      { rf.dead.Store(true) }

// PingArgs and PingReply are the broken Rafts' only RPC.
type PingArgs struct{ From int }
type PingReply struct{ OK bool }

// BusyLoop spins in a loop that never sleeps, so virtual time cannot
// advance. It stops when killed.
type BusyLoop struct{ base }

func MakeBusyLoop(peers []*labrpc.ClientEnd, me int, _ *raftapi.Persister, _ chan raftapi.ApplyMsg) *BusyLoop {
	rf := &BusyLoop{base{peers: peers, me: me}}
	go func() {
		for !rf.dead.Load() {
		}
	}()
	return rf
}

// LockAcrossCall holds rf.mu while it calls its peers, whose handlers need
// their own rf.mu: the servers deadlock on each other's locks.
type LockAcrossCall struct{ base }

func MakeLockAcrossCall(peers []*labrpc.ClientEnd, me int, _ *raftapi.Persister, _ chan raftapi.ApplyMsg) *LockAcrossCall {
	rf := &LockAcrossCall{base{peers: peers, me: me}}
	go func() {
		for !rf.dead.Load() {
			rf.mu.Lock()
			for i := range rf.peers {
				if i != rf.me {
					rf.peers[i].Call("LockAcrossCall.Ping", &PingArgs{From: rf.me}, &PingReply{})
				}
			}
			rf.mu.Unlock()
			time.Sleep(100 * time.Millisecond)
		}
	}()
	return rf
}

func (rf *LockAcrossCall) Ping(args *PingArgs, reply *PingReply) {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	reply.OK = true
}

// LockAcrossSleep sleeps while holding rf.mu, so GetState waits for the
// lock and virtual time cannot advance to wake the sleeper.
type LockAcrossSleep struct{ base }

func MakeLockAcrossSleep(peers []*labrpc.ClientEnd, me int, _ *raftapi.Persister, _ chan raftapi.ApplyMsg) *LockAcrossSleep {
	rf := &LockAcrossSleep{base{peers: peers, me: me}}
	go func() {
		for !rf.dead.Load() {
			rf.mu.Lock()
			time.Sleep(10 * time.Millisecond)
			rf.mu.Unlock()
		}
	}()
	return rf
}

// LeakAfterKill keeps sending RPCs after Kill: its loop never checks.
type LeakAfterKill struct{ base }

func MakeLeakAfterKill(peers []*labrpc.ClientEnd, me int, _ *raftapi.Persister, _ chan raftapi.ApplyMsg) *LeakAfterKill {
	rf := &LeakAfterKill{base{peers: peers, me: me}}
	go func() {
		for {
			time.Sleep(100 * time.Millisecond)
			rf.peers[(rf.me+1)%len(rf.peers)].Call("LeakAfterKill.Ping", &PingArgs{From: rf.me}, &PingReply{})
		}
	}()
	return rf
}

func (rf *LeakAfterKill) Ping(args *PingArgs, reply *PingReply) { reply.OK = true }

// PanicInHandler's RPC handler panics.
type PanicInHandler struct{ base }

func MakePanicInHandler(peers []*labrpc.ClientEnd, me int, _ *raftapi.Persister, _ chan raftapi.ApplyMsg) *PanicInHandler {
	rf := &PanicInHandler{base{peers: peers, me: me}}
	go func() {
		for !rf.dead.Load() {
			time.Sleep(100 * time.Millisecond)
			rf.peers[(rf.me+1)%len(rf.peers)].Call("PanicInHandler.Ping", &PingArgs{From: rf.me}, &PingReply{})
		}
	}()
	return rf
}

func (rf *PanicInHandler) Ping(args *PingArgs, reply *PingReply) {
	var log []int
	_ = log[args.From+5] // index out of range
}

// NeverReturns blocks in Make for ever.
type NeverReturns struct{ base }

func MakeNeverReturns(peers []*labrpc.ClientEnd, me int, _ *raftapi.Persister, _ chan raftapi.ApplyMsg) *NeverReturns {
	rf := &NeverReturns{base{peers: peers, me: me}}
	for !rf.dead.Load() {
		time.Sleep(100 * time.Millisecond)
	}
	return rf
}

// LowerCaseFields sends an RPC whose argument fields are lower-case.
type LowerCaseFields struct{ base }

// lowerArgs has a field gob will not send.
type LowerArgs struct{ term int }

func MakeLowerCaseFields(peers []*labrpc.ClientEnd, me int, _ *raftapi.Persister, _ chan raftapi.ApplyMsg) *LowerCaseFields {
	rf := &LowerCaseFields{base{peers: peers, me: me}}
	go func() {
		for !rf.dead.Load() {
			time.Sleep(100 * time.Millisecond)
			rf.peers[(rf.me+1)%len(rf.peers)].Call("LowerCaseFields.Ping", &LowerArgs{term: 1}, &PingReply{})
		}
	}()
	return rf
}

func (rf *LowerCaseFields) Ping(args *LowerArgs, reply *PingReply) { reply.OK = true }

// ApplyAfterKill sends on applyCh once it is killed, and keeps sending.
// (Before Kill it sends nothing: a command it never received would be
// caught first, as a command that never reached it.)
type ApplyAfterKill struct{ base }

func MakeApplyAfterKill(peers []*labrpc.ClientEnd, me int, _ *raftapi.Persister, applyCh chan raftapi.ApplyMsg) *ApplyAfterKill {
	rf := &ApplyAfterKill{base{peers: peers, me: me}}
	go func() {
		for !rf.dead.Load() {
			time.Sleep(100 * time.Millisecond)
		}
		for i := 1; i < 100; i++ {
			time.Sleep(500 * time.Millisecond)
			applyCh <- raftapi.ApplyMsg{CommandValid: true, Command: i, CommandIndex: i}
		}
	}()
	return rf
}
