package kvtest

import (
	"time"

	"raftlabs/labtest"
)

// Faults that the scenarios play while clients run.

// NewClerkTo makes a clerk that reaches only the servers given.
func (s *Service) NewClerkTo(servers ...int) *TestClerk {
	ck := s.NewClerk()
	ck.ConnectTo(servers...)
	return ck
}

// randomPartition splits the servers in two at random, a majority and a
// minority, the leader on either side.
func (s *Service) randomPartition() {
	n := s.N()
	var a, b []int
	cut := 1 + s.Rand(n/2) // the minority's size
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	for i := n - 1; i > 0; i-- {
		j := s.Rand(i + 1)
		perm[i], perm[j] = perm[j], perm[i]
	}
	a, b = perm[:cut], perm[cut:]
	s.Partition(a, b)
}

// crashRounds runs clients while, round after round, a random server
// crashes and restarts (and, with partitions, the network is split too);
// in the middle round every server crashes and restarts.
func (s *Service) crashRounds(rounds int, partitions bool) {
	// Fewer operations than the other scenarios': without snapshots, every
	// restart replays the whole log.
	clients := s.StartClients(Workload{Clerks: 5, Keys: 3, Pause: 2 * clientPause})
	for round := range rounds {
		if partitions {
			s.randomPartition()
		}
		s.Sleep(time.Second)
		if round == rounds/2 {
			for i := range s.N() {
				s.Crash(i)
			}
			for i := range s.N() {
				s.Restart(i)
			}
		} else {
			i := s.Rand(s.N())
			s.Crash(i)
			s.Sleep(500 * time.Millisecond)
			s.Restart(i)
		}
		s.Heal()
	}
	s.Sleep(2 * labtest.ElectionTimeout)
	clients.Stop()
}

// CheckRaftStateSizes checks that every server's saved Raft state is
// within RaftStateSlack times SnapshotLimit.
func (s *Service) CheckRaftStateSizes() {
	bound := RaftStateSlack * s.maxRaftState
	for i := range s.N() {
		if size := s.RaftStateSize(i); size > bound {
			s.Fatalf("s%d's saved Raft state is %d bytes, over %d (%d times maxraftstate, %d): the server must "+
				"call Snapshot when persister.RaftStateSize() reaches maxraftstate, with the service's state "+
				"through the last applied index, and Raft must then drop the entries the snapshot covers",
				i, size, bound, RaftStateSlack, s.maxRaftState)
		}
	}
}

// all returns the servers 0 to n-1.
func all(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}
