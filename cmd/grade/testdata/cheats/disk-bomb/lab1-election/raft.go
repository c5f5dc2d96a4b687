package raft

import (
	"strings"
	"time"

	"raftlabs/labdebug"
	"raftlabs/labrpc"
	"raftlabs/raftapi"
)

// line is one debug line of 1 MiB.
var line = strings.Repeat("x", 1<<20)

// Make turns the debug logger on, quietly (into the trace only), and logs
// 1 MiB lines for the rest of the test, which then fails: every failing
// test's trace once held all of them, 250 to 315 MB a test, in the shared
// temporary folder. The trace's caps keep it under about 32 MiB, and the
// grader removes a submission's traces with its temporary folder.
func Make(peers []*labrpc.ClientEnd, me int, persister *raftapi.Persister, applyCh chan raftapi.ApplyMsg) raftapi.Raft {
	labdebug.Enable("quiet:all")
	go func() {
		for {
			labdebug.Printf(me, labdebug.Info, "%s", line)
			time.Sleep(10 * time.Millisecond)
		}
	}()
	return &Raft{}
}

type Raft struct{}

func (rf *Raft) GetState() (int, bool)               { return 0, false }
func (rf *Raft) Start(command any) (int, int, bool)  { return -1, -1, false }
func (rf *Raft) Snapshot(index int, snapshot []byte) {}
func (rf *Raft) Kill()                               {}
