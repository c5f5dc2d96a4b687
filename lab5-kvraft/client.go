package raft

// This is the clerk, the service's client library, that you write in
// lab 5. Each method returns once its operation has taken effect: it sends
// the request to the server it believes leads, and on a failed call or a
// wrong-leader answer tries the next server, pausing a little after every
// server has failed it, for as long as it takes. Read docs/lab5-kvraft.md.

import (
	"raftlabs/labrpc"
)

// Clerk is a client of the key/value service. The tests use each Clerk
// from one goroutine at a time.
type Clerk struct {
	servers []*labrpc.ClientEnd // ends to every server's KVServer
	// Your fields here.
}

// MakeClerk returns a clerk that talks to servers.
func MakeClerk(servers []*labrpc.ClientEnd) *Clerk {
	ck := &Clerk{servers: servers}
	// Your code here.
	return ck
}

// Get returns the value of key, or "" if key has no value. It keeps trying
// until it has the answer.
//
// Call a server's handler with code like:
//
//	ok := ck.servers[i].Call("KVServer.Get", &args, &reply)
//
// The types of args and reply (pointers included) must match the handler's
// declaration. ok is false if the server could not be reached or the reply
// was lost: the request may or may not have reached it.
func (ck *Clerk) Get(key string) string {
	// Your code here.
	return ""
}

// Put sets key's value to value.
func (ck *Clerk) Put(key, value string) {
	// Your code here.
}

// Append appends value to key's value ("" if it has none).
func (ck *Clerk) Append(key, value string) {
	// Your code here.
}
