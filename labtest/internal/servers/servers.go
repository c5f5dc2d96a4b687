package servers

import (
	"fmt"
	"slices"
	"sync"
	"time"

	"raftlabs/labrpc"
	"raftlabs/labtest/internal/stacks"
	"raftlabs/labtest/internal/tracer"
	"raftlabs/labtest/internal/words"
	"raftlabs/raftapi"
)

// Servers are the servers of one test and the network's shape between
// them. Servers are numbered 0 to n-1, named s0, s1, ... on the network.
type Servers struct {
	net   *labrpc.Network
	start time.Time      // the test's clock at boot
	trace *tracer.Tracer // nil if the test records no trace

	mu         sync.Mutex
	n          int
	rafts      []raftapi.Raft // nil when crashed
	persisters []*raftapi.Persister
	generation []int      // instance number of each server, from 1
	killed     []int      // the instance of each server last killed, 0 if none
	endNames   [][]string // endNames[i][j]: the end server i uses to call j
	connected  []bool
	group      []int    // partition number; servers talk only within a group
	shapes     []string // each shape the network has had, with when it began
	probes     int      // ends the harness has made for its own RPCs
}

// New returns n servers on net, none started yet, all connected, each with
// an empty Persister. start is the test's clock at boot; tr records the
// network's shapes.
func New(net *labrpc.Network, n int, start time.Time, tr *tracer.Tracer) *Servers {
	s := &Servers{
		net: net, start: start, trace: tr, n: n,
		rafts:      make([]raftapi.Raft, n),
		persisters: make([]*raftapi.Persister, n),
		generation: make([]int, n),
		killed:     make([]int, n),
		endNames:   make([][]string, n),
		connected:  make([]bool, n),
		group:      make([]int, n),
	}
	for i := range n {
		s.persisters[i] = raftapi.MakePersister()
		s.connected[i] = true
	}
	return s
}

// NewInstance begins instance gen of server i: fresh ends to every server,
// named "s1->s2#3" (names[j] for server j), connected but not yet enabled.
func (s *Servers) NewInstance(i int) (gen int, ends []*labrpc.ClientEnd, names []string) {
	s.mu.Lock()
	s.generation[i]++
	gen = s.generation[i]
	s.mu.Unlock()
	ends = make([]*labrpc.ClientEnd, s.n)
	names = make([]string, s.n)
	for j := range s.n {
		names[j] = fmt.Sprintf("s%d->s%d#%d", i, j, gen)
		ends[j] = s.net.NewEnd(names[j])
		s.net.Connect(names[j], words.Server(j))
	}
	return gen, ends, names
}

// Serve puts rf, server i's new instance, on the network, serving svcs
// through the ends names (NewInstance's) once Relink enables them.
func (s *Servers) Serve(i int, rf raftapi.Raft, names []string, svcs ...*labrpc.Service) {
	srv := labrpc.NewServer()
	for _, svc := range svcs {
		srv.AddService(svc)
	}
	s.net.AddServer(words.Server(i), srv)
	s.mu.Lock()
	s.rafts[i] = rf
	s.endNames[i] = names
	s.mu.Unlock()
}

// Raft returns server i's running instance, or nil if crashed.
func (s *Servers) Raft(i int) raftapi.Raft {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rafts[i]
}

// Instance returns server i's running instance if it is instance gen.
func (s *Servers) Instance(i, gen int) raftapi.Raft {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.generation[i] != gen {
		return nil
	}
	return s.rafts[i]
}

// Running returns every running instance; none before the servers are
// made (s is nil).
func (s *Servers) Running() []raftapi.Raft {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var rs []raftapi.Raft
	for _, rf := range s.rafts {
		if rf != nil {
			rs = append(rs, rf)
		}
	}
	return rs
}

// Persister returns server i's Persister now: the disk it restarts from.
func (s *Servers) Persister(i int) *raftapi.Persister {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.persisters[i]
}

// Latest returns the number of server i's latest instance, 0 before its
// first, and the Persister it restarts from.
func (s *Servers) Latest(i int) (gen int, p *raftapi.Persister) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.generation[i], s.persisters[i]
}

// Killing records that server i's latest instance is being killed, and
// reports whether it is the first time, and which instance it is.
func (s *Servers) Killing(i int) (gen int, first bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	gen = s.generation[i]
	first = s.killed[i] != gen
	s.killed[i] = gen
	return gen, first
}

// Crash cuts server i off, deletes it from the network so that the
// replies of its handlers are never delivered, and keeps what it had saved
// as the disk it restarts from, a copy taken only now: a handler that
// saved and then replied before the deletion saved into it; anything
// saved later is lost, and so is its reply. It returns the instance that
// was running (nil if none), for the caller to kill, and the disk.
func (s *Servers) Crash(i int) (rf raftapi.Raft, disk *raftapi.Persister) {
	s.mu.Lock()
	rf = s.rafts[i]
	s.rafts[i] = nil
	s.connected[i] = false
	s.mu.Unlock()
	s.trace.Crash(i)
	s.Relink() // after rafts[i] is gone, so failures show "s2 crashed"
	s.net.DeleteServer(words.Server(i))
	s.mu.Lock()
	disk = s.persisters[i].Copy()
	s.persisters[i] = disk
	s.mu.Unlock()
	return rf, disk
}

// CallsFrom returns how many RPCs server i's latest instance has made,
// whatever became of them: a crashed server's calls through its cut-off
// ends count too.
func (s *Servers) CallsFrom(i int) int {
	s.mu.Lock()
	names := s.endNames[i]
	s.mu.Unlock()
	n := 0
	for _, cc := range s.net.CallCounts() {
		if slices.Contains(names, cc.End) {
			n += cc.Calls
		}
	}
	return n
}

// EndName returns the name of the end server from uses to call server to.
func (s *Servers) EndName(from, to int) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.endNames[from][to]
}

// Pointers returns the names of the running servers' Raft pointers. It
// only tries the lock, so that it never waits, and returns what it can.
func (s *Servers) Pointers() stacks.ServerPointers {
	if s == nil || !s.mu.TryLock() {
		return nil
	}
	defer s.mu.Unlock()
	names := stacks.ServerPointers{}
	for i, rf := range s.rafts {
		if rf != nil {
			names[fmt.Sprintf("%p", rf)] = words.Server(i)
		}
	}
	return names
}
