package raft

// This is the key/value server that you write in lab 5, on your Raft:
// each request becomes a command in the log, and the server answers once
// the command is applied. Read docs/lab5-kvraft.md.
//
// What the tests call (keep these signatures):
//
//	kv := StartKVServer(servers, me, persister, maxraftstate)
//	kv.Raft()   // the Raft that StartKVServer made: the tests ask it GetState
//	kv.Kill()   // stop the server and its Raft
//
// and, through the network, the handlers your clerk calls.
//
// The course's rules hold here too: never hold kv.mu across an RPC call, a
// time.Sleep, a channel send or a call into Raft that may wait for rf.mu
// while Raft waits for you (Start, Snapshot) in a way that can deadlock.

import (
	"sync"
	"sync/atomic"

	"raftlabs/labgob"
	"raftlabs/labrpc"
	"raftlabs/raftapi"
)

// Op is a command the server hands to Start: one client request.
type Op struct {
	// Your fields here: upper-case, since Raft saves and sends them.
}

// KVServer is one server of the service.
type KVServer struct {
	mu      sync.Mutex
	me      int
	rf      raftapi.Raft
	applyCh chan raftapi.ApplyMsg
	dead    atomic.Bool

	maxraftstate int // snapshot when the saved Raft state reaches this size; -1: never

	// Your fields here.
}

// Get is the handler for a clerk's Get.
func (kv *KVServer) Get(args *GetArgs, reply *GetReply) {
	// Your code here.
	reply.Err = ErrWrongLeader
}

// PutAppend is the handler for a clerk's Put or Append.
func (kv *KVServer) PutAppend(args *PutAppendArgs, reply *PutAppendReply) {
	// Your code here.
	reply.Err = ErrWrongLeader
}

// Raft returns the server's Raft, for the tests.
func (kv *KVServer) Raft() raftapi.Raft { return kv.rf }

// Kill stops the server and its Raft. The tests call it when they crash a
// server and at the end of each test. Every goroutine of the server (the
// applier, a handler waiting for its entry) must return once killed() is
// true, and Kill must wake any that wait so that they see it; the tests
// report those still running as leaks (TestKillLab5 costs the points).
func (kv *KVServer) Kill() {
	kv.dead.Store(true)
	kv.rf.Kill()
	// Your code here, if you need it.
}

func (kv *KVServer) killed() bool { return kv.dead.Load() }

// StartKVServer starts a server. servers are the ends to every server's
// Raft (pass them to Make); me is this server's index in servers;
// persister is its disk, which holds what it saved before a crash: restore
// the service's state from persister.ReadSnapshot(). maxraftstate is the
// size in bytes that the saved Raft state (persister.RaftStateSize()) must
// stay near: when it reaches it, snapshot the service through
// kv.rf.Snapshot. -1 means never snapshot. StartKVServer must return at
// once: start long-running work in goroutines.
func StartKVServer(servers []*labrpc.ClientEnd, me int, persister *raftapi.Persister, maxraftstate int) *KVServer {
	// Commands go through Raft as interface values: register their types.
	labgob.Register(Op{})

	kv := &KVServer{me: me, maxraftstate: maxraftstate}
	kv.applyCh = make(chan raftapi.ApplyMsg)
	kv.rf = Make(servers, me, persister, kv.applyCh)

	// Your code here.

	return kv
}
