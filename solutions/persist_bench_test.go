package solutions

import (
	"fmt"
	"strings"
	"testing"

	"raftlabs/raftapi"
)

// What persisting costs: the saved state each committed command adds, in
// steady state (beside BenchmarkSteadyState's network cost), and what one
// save of the whole state writes as the log grows. Run with
//
//	go test -run '^$' -bench 'Persist' -benchtime 1000x ./solutions

// BenchmarkPersistedBytes commits b.N 1000-byte commands, one after the
// other, on three servers, and reports how much each server's saved state
// grew per command.
func BenchmarkPersistedBytes(b *testing.B) {
	const (
		servers = 3
		payload = 1000
	)
	c := newBenchCluster(b, servers)
	defer c.shutDown()
	leader := c.waitForLeader()
	command := strings.Repeat("x", payload)
	size := func() (total int) {
		for _, rf := range c.rafts {
			total += rf.persister.RaftStateSize()
		}
		return total
	}
	before := size()
	b.ResetTimer()
	last := 0
	for range b.N {
		index, _, ok := c.rafts[leader].Start(command)
		if !ok {
			b.Fatalf("s%d stopped leading in the middle of the benchmark", leader)
		}
		last = index
		if !c.waitApplied(leader, index) {
			b.Fatalf("s%d did not apply index %d; %s", leader, index, c.describe())
		}
	}
	for i := range servers {
		if !c.waitApplied(i, last) {
			b.Fatalf("s%d did not apply index %d; %s", i, last, c.describe())
		}
	}
	b.StopTimer()
	grown := float64(size()-before) / servers
	b.ReportMetric(grown/float64(b.N), "state-bytes/command")
	b.ReportMetric(grown/float64(b.N)/payload, "state-bytes/payload-byte")
}

// BenchmarkPersist saves the state of a server whose log holds n
// 1000-byte entries: every persist writes the whole log again, from the
// encoding it keeps (the first save encodes it).
func BenchmarkPersist(b *testing.B) {
	for _, n := range []int{10, 100, 1000} {
		b.Run(fmt.Sprintf("log=%d", n), func(b *testing.B) {
			rf := &Raft{persister: raftapi.MakePersister(), currentTerm: 3, votedFor: 1, log: []LogEntry{{}}}
			for range n {
				rf.log = append(rf.log, LogEntry{Term: 3, Command: strings.Repeat("x", 1000)})
			}
			b.ResetTimer()
			for range b.N {
				rf.persist()
			}
			b.ReportMetric(float64(rf.persister.RaftStateSize()), "bytes/save")
		})
	}
}
