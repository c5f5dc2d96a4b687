package kvtest

import (
	"fmt"
	"testing"

	"raftlabs/labrpc"
	"raftlabs/labtest"
	"raftlabs/raftapi"
)

// Server is what the tests need of the student's key/value server: its
// RPC handlers (found by the network, as Raft's are), Kill, and its Raft,
// which the harness asks GetState to find the leader.
type Server interface {
	Kill()
	Raft() raftapi.Raft
}

// Clerk is the student's client library: each call returns once the
// operation has taken effect, retrying across servers as long as it takes.
type Clerk interface {
	Get(key string) string
	Put(key, value string)
	Append(key, value string)
}

// A Scenario is one lab 5 test: a story told to a Service. Its doc comment
// is the test's description in the grader.
type Scenario func(s *Service)

// NoSnapshots is the maxraftstate that tells the servers never to snapshot.
const NoSnapshots = -1

// Run runs scenario as the test t against the student's service, with
// labtest.Run's whole life of a test (a child process, the virtual clock,
// the watchdog, the verdict and the rerun command), then checks the history
// of the clerks' operations for linearizability.
func Run[S Server, C Clerk](t *testing.T, scenario Scenario,
	startServer func(servers []*labrpc.ClientEnd, me int, persister *raftapi.Persister, maxraftstate int) S,
	makeClerk func(servers []*labrpc.ClientEnd) C) {
	t.Helper()
	s := &Service{makeClerk: func(ends []*labrpc.ClientEnd) Clerk { return makeClerk(ends) }}
	host := func(peers []*labrpc.ClientEnd, me int, p *raftapi.Persister, _ chan raftapi.ApplyMsg) *labtest.Hosted {
		kv := startServer(peers, me, p, s.maxRaftState)
		rf := kv.Raft()
		if rf == nil {
			panic(fmt.Sprintf("s%d: the KVServer's Raft method returned nil: it must return the Raft that StartKVServer made", me))
		}
		return &labtest.Hosted{Raft: rf, Services: []any{kv}, Stop: kv.Kill}
	}
	labtest.Run(t, func(c *labtest.Cluster) {
		s.Cluster = c
		s.history = newHistory()
		c.AfterTest(s.checkHistory)
		scenario(s)
		s.stopClerks()
	}, host)
}
