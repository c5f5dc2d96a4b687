package raft

import (
	"raftlabs/labrpc"
	"raftlabs/raftapi"
)

// ballast is 512 MiB of initialised data: the compiler writes all of it
// into the package's object file, the build cache and the test binary (it
// once put 1 GB into the grader's shared build cache). The grader's limit
// on the size of a file a build writes makes the build fail instead.
var ballast = [512 << 20]byte{0: 1, 512<<20 - 1: 1}

type Raft struct{}

func (rf *Raft) GetState() (int, bool)               { return int(ballast[0]), false }
func (rf *Raft) Start(command any) (int, int, bool)  { return -1, -1, false }
func (rf *Raft) Snapshot(index int, snapshot []byte) {}
func (rf *Raft) Kill()                               {}

func Make(peers []*labrpc.ClientEnd, me int, persister *raftapi.Persister, applyCh chan raftapi.ApplyMsg) raftapi.Raft {
	return &Raft{}
}
