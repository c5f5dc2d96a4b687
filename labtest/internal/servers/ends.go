package servers

import (
	"fmt"

	"raftlabs/labrpc"
	"raftlabs/labtest/internal/words"
)

// Ends of the network that are not the servers': a service's clients',
// and the harness's own for its probes.

// ClientEnds returns a client's ends to every server, named after the
// client ("c3->s0"), each connected to its server and enabled.
func (s *Servers) ClientEnds(client string) []*labrpc.ClientEnd {
	ends := make([]*labrpc.ClientEnd, s.n)
	for j := range s.n {
		name := client + "->" + words.Server(j)
		ends[j] = s.net.NewEnd(name)
		s.net.Connect(name, words.Server(j))
		s.net.Enable(name, true)
	}
	return ends
}

// ConnectClient lets the client reach only the servers in to: its ends to
// the others are cut, as when the client sits on one side of a partition.
func (s *Servers) ConnectClient(client string, to ...int) {
	on := make([]bool, s.n)
	for _, j := range to {
		on[j] = true
	}
	for j := range s.n {
		s.net.Enable(client+"->"+words.Server(j), on[j])
	}
}

// ProbeEnd returns a new end from the harness to server i, named
// "harness->s2#5" after the harness's fifth, connected and enabled; the
// caller disables it after its one call.
func (s *Servers) ProbeEnd(i int) (end *labrpc.ClientEnd, name string) {
	s.mu.Lock()
	s.probes++
	name = fmt.Sprintf("harness->s%d#%d", i, s.probes)
	s.mu.Unlock()
	end = s.net.NewEnd(name)
	s.net.Connect(name, words.Server(i))
	s.net.Enable(name, true)
	return end, name
}
