package kvtest

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"time"
)

// Clients: clerks that run operations of their own while a scenario
// partitions, crashes and restarts servers. Every operation is in the
// history; the linearizability check at the end judges them all.

// Clients is a group of clerks at work.
type Clients struct {
	clerks   []*TestClerk
	stopping chan struct{}
	wg       sync.WaitGroup
	stopped  bool
}

// Workload says what a group of clients does.
type Workload struct {
	Clerks int           // how many clerks
	Keys   int           // how many keys they share (each clerk also has its own if 0)
	Pause  time.Duration // how long a clerk pauses between operations
}

// StartClients starts a group of clerks, each of which, until stopped,
// picks a random operation on a random key of the Keys shared (Get, Put or
// Append of a value no other operation writes, such as "c3.17;"), runs it,
// and pauses. On the virtual clock a reliable network answers at once: the
// pause keeps the history to a size the check can judge in well under a
// second.
func (s *Service) StartClients(w Workload) *Clients {
	cl := &Clients{stopping: make(chan struct{})}
	for range w.Clerks {
		cl.clerks = append(cl.clerks, s.NewClerk())
	}
	seed := s.Rand(1 << 30)
	for k, ck := range cl.clerks {
		rng := rand.New(rand.NewPCG(uint64(seed), uint64(k)))
		cl.wg.Go(func() { cl.run(ck, w, rng) })
	}
	s.mu.Lock()
	s.groups = append(s.groups, cl)
	s.mu.Unlock()
	return cl
}

// Clerks returns the group's clerks.
func (cl *Clients) Clerks() []*TestClerk { return cl.clerks }

// run is one clerk's loop.
func (cl *Clients) run(ck *TestClerk, w Workload, rng *rand.Rand) {
	for seq := 0; ; seq++ {
		select {
		case <-cl.stopping:
			return
		default:
		}
		key := fmt.Sprintf("k%d", rng.IntN(max(w.Keys, 1)))
		value := fmt.Sprintf("%s.%d;", ck, seq)
		switch n := rng.IntN(10); {
		case n < 4:
			ck.Get(key)
		case n < 5:
			ck.Put(key, value)
		default:
			ck.Append(key, value)
		}
		select {
		case <-cl.stopping:
			return
		case <-time.After(w.Pause):
		}
	}
}

// Stop asks the clerks to stop after the operations they are running, and
// waits for them: every clerk must finish its operation, so call Stop only
// when the servers can answer (a majority connected and running).
func (cl *Clients) Stop() {
	if !cl.stopped {
		cl.stopped = true
		close(cl.stopping)
	}
	cl.wg.Wait()
}

// stopClerks tells every group still running to stop, without waiting: at
// the end of a test, an operation that cannot finish is in the history as
// one that never returned.
func (s *Service) stopClerks() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, cl := range s.groups {
		if !cl.stopped {
			cl.stopped = true
			close(cl.stopping)
		}
	}
}
