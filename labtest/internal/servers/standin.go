package servers

import (
	"fmt"

	"raftlabs/labrpc"
	"raftlabs/labtest/internal/words"
	"raftlabs/raftapi"
)

// FreshTerm boots a stand-in for server i with an empty Persister and ends
// that reach no one, and returns the term it reports before anything can
// happen to it; ok is false if it cannot be asked (Make panics, returns
// nil or never returns; GetState panics). It kills the stand-in before it
// returns. The persistence checks ask it whether a server knows, without
// its Persister, the term it was in when it crashed.
func (s *Servers) FreshTerm(i int, newRaft MakeFunc, w Watcher) (term int, ok bool) {
	gen, _ := s.Latest(i) // the instance that crashed: one stand-in each
	ends := make([]*labrpc.ClientEnd, s.n)
	for j := range s.n {
		ends[j] = s.net.NewEnd(fmt.Sprintf("s%d->s%d#empty-disk-%d", i, j, gen)) // connected to nothing
	}
	// A server with nothing to apply sends nothing; the buffer keeps a
	// Raft that does from blocking before it is killed.
	applyCh := make(chan raftapi.ApplyMsg, 64)
	m, returned := TryMake(newRaft, i, ends, raftapi.MakePersister(), applyCh, w)
	if !returned || m.Panicked != nil || m.Raft == nil {
		return 0, false
	}
	defer func() { _ = Call(i, "Kill", m.Raft.Kill) }()
	if Call(i, "GetState", func() { term, _ = m.Raft.GetState() }) != nil {
		return 0, false
	}
	return term, true
}

// StandIn puts svc on the network in the place of server i, crashed,
// reachable from server from only: a puppet that answers for it as a
// scenario scripts.
func (s *Servers) StandIn(i, from int, svc *labrpc.Service) {
	srv := labrpc.NewServer()
	srv.AddService(svc)
	s.net.AddServer(words.Server(i), srv)
	s.net.Enable(s.EndName(from, i), true)
}
