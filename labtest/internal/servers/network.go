package servers

import (
	"fmt"
	"strings"
	"time"

	"raftlabs/labtest/internal/words"
)

// The network's shape: who can talk to whom. Every change is remembered
// with its time, for failures to show the latest ones.

// Disconnect cuts servers off from everyone.
func (s *Servers) Disconnect(servers ...int) { s.setConnected(servers, false) }

// Connect reconnects servers to every other connected server in the same
// partition group (after Partition) or to all connected servers.
func (s *Servers) Connect(servers ...int) { s.setConnected(servers, true) }

func (s *Servers) setConnected(servers []int, on bool) {
	s.mu.Lock()
	for _, i := range servers {
		s.connected[i] = on
	}
	s.mu.Unlock()
	s.Relink()
}

// Partition splits the servers into groups that can talk only among
// themselves. Servers in no group are disconnected.
func (s *Servers) Partition(groups ...[]int) {
	s.mu.Lock()
	for i := range s.n {
		s.connected[i] = false
	}
	for g, members := range groups {
		for _, i := range members {
			s.connected[i] = true
			s.group[i] = g
		}
	}
	s.mu.Unlock()
	s.Relink()
}

// Heal joins every server into one group, all connected.
func (s *Servers) Heal() {
	s.mu.Lock()
	for i := range s.n {
		s.connected[i] = true
		s.group[i] = 0
	}
	s.mu.Unlock()
	s.Relink()
}

// IsConnected reports whether server i is running and connected.
func (s *Servers) IsConnected(i int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.connected[i] && s.rafts[i] != nil
}

// Relink enables exactly the ends between connected servers of one group,
// and records the network's new shape.
func (s *Servers) Relink() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.n {
		for j := range s.n {
			if s.endNames[i] == nil {
				continue
			}
			// A crashed server's ends stay off, whatever Connect or
			// Partition said: its dead instance must reach no one.
			on := s.connected[i] && s.connected[j] && s.group[i] == s.group[j] && s.rafts[i] != nil
			s.net.Enable(s.endNames[i][j], on)
		}
	}
	shape, groups := s.shapeLocked()
	if k := len(s.shapes); k > 0 && strings.HasSuffix(s.shapes[k-1], ": "+shape) {
		return
	}
	s.trace.Network(shape, groups)
	s.shapes = append(s.shapes, fmt.Sprintf("%s: %s", words.Seconds(time.Since(s.start)), shape))
}

// shown is how many of the network's latest shapes Describe shows.
const shown = 4

// Describe shows the network's latest shapes, newest last, e.g.
// "0.00s: {s0 s1 s2}; 2.51s: {s1 s2} | s0 cut off"; "" before the servers
// are made.
func (s *Servers) Describe() string {
	if s == nil {
		return ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	shapes := s.shapes
	prefix := ""
	if len(shapes) > shown {
		prefix = fmt.Sprintf("(%d earlier changes) ", len(shapes)-shown)
		shapes = shapes[len(shapes)-shown:]
	}
	return prefix + strings.Join(shapes, "; ")
}

// shapeLocked shows who can talk to whom now: the groups of connected
// servers, then the servers cut off and the crashed ones, e.g.
// "{s0 s1} | s2 cut off | s3 crashed"; and the groups, for the trace.
// s.mu is held.
func (s *Servers) shapeLocked() (shape string, groups [][]string) {
	members := map[int][]string{}
	var order []int
	var off []string
	for i := range s.n {
		name := words.Server(i)
		switch {
		case s.rafts[i] == nil && s.generation[i] > 0 && s.endNames[i] != nil:
			off = append(off, name+" crashed")
		case !s.connected[i]:
			off = append(off, name+" cut off")
		default:
			if _, seen := members[s.group[i]]; !seen {
				order = append(order, s.group[i])
			}
			members[s.group[i]] = append(members[s.group[i]], name)
		}
	}
	var parts []string
	for _, g := range order {
		parts = append(parts, "{"+strings.Join(members[g], " ")+"}")
		groups = append(groups, members[g])
	}
	return strings.Join(append(parts, off...), " | "), groups
}
