package raft

// This file holds what the clerk and the server share: the RPCs' argument
// and reply types and the errors. Change anything in it; the tests call
// only StartKVServer, MakeClerk and the Clerk's and KVServer's methods
// below. Every field of a type sent in an RPC, or passed to Start, must be
// upper-case (labgob warns you otherwise).

// Err is a server's answer to a clerk's request.
type Err string

const (
	OK             Err = "OK"
	ErrNoKey       Err = "ErrNoKey"
	ErrWrongLeader Err = "ErrWrongLeader"
)

// GetArgs is a Get request.
type GetArgs struct {
	Key string
	// You will need more: something that identifies the request across
	// retries (paper §8).
}

// GetReply is a server's answer to Get.
type GetReply struct {
	Err   Err
	Value string
}

// PutAppendArgs is a Put or Append request.
type PutAppendArgs struct {
	Key   string
	Value string
	// You will need more: which operation, and something that identifies
	// the request across retries (paper §8).
}

// PutAppendReply is a server's answer to Put or Append.
type PutAppendReply struct {
	Err Err
}
