package kv

import (
	"math/rand/v2"
	"time"

	"raftlabs/labrpc"
)

// retryPause is how long a clerk waits after every server has failed it,
// before it tries them all again: an election takes a few hundred
// milliseconds, and a clerk that retried without pause would only load the
// servers (and, on the tests' virtual clock, stop time).
const retryPause = 20 * time.Millisecond

// Clerk is a client of the service. It sends one request at a time.
type Clerk struct {
	servers []*labrpc.ClientEnd
	id      int64 // random: two clerks must not share one
	seq     int64 // the last request's number
	leader  int   // the server that last answered, tried first
}

// MakeClerk returns a clerk that talks to servers.
func MakeClerk(servers []*labrpc.ClientEnd) *Clerk {
	return &Clerk{servers: servers, id: rand.Int64()}
}

// Get returns the value of key, or "" if it has none.
func (ck *Clerk) Get(key string) string {
	return ck.do(Request{Kind: GetOp, Key: key})
}

// Put sets key's value to value.
func (ck *Clerk) Put(key, value string) {
	ck.do(Request{Kind: PutOp, Key: key, Value: value})
}

// Append appends value to key's value (to "" if it has none).
func (ck *Clerk) Append(key, value string) {
	ck.do(Request{Kind: AppendOp, Key: key, Value: value})
}

// do sends req until a server that leads answers it, and returns the value
// that server read. Every retry carries the same number, so that a request
// whose reply was lost, and which is sent again, takes effect only once
// (§8: "The solution is for clients to assign unique serial numbers to
// every command").
func (ck *Clerk) do(req Request) string {
	ck.seq++
	req.ClientID, req.Seq = ck.id, ck.seq
	for {
		for range ck.servers {
			var reply Reply
			ok := ck.servers[ck.leader].Call("KVServer.Do", &req, &reply)
			if ok && (reply.Err == OK || reply.Err == ErrNoKey) {
				return reply.Value
			}
			ck.leader = (ck.leader + 1) % len(ck.servers)
		}
		time.Sleep(retryPause)
	}
}
