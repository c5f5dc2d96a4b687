package solutions

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// BenchmarkSnapshotCatchUp measures what it costs to bring a follower back
// from a snapshot: three servers whose services snapshot every 10 applied
// entries; one follower is cut off while the others commit 30 commands of
// 1000 bytes (so the leader's log is compacted past everything it missed),
// and stays away for an election timeout or more, long enough to stand for
// election in later terms; then it is let back, and the benchmark counts
// the bytes of RPC requests it receives until it has applied the last of
// the 30. Each iteration is one such round. It reports
//
//   - request-bytes/snapshot-byte: those bytes over the snapshot's size;
//     close to 1 means the snapshot crossed the network once;
//   - snapshot-bytes: the snapshot's size, on average over the rounds
//     (the service's state is every command it has applied, so each round
//     adds 30,000 bytes to it).
//
// It runs in real time (about 2 s an iteration), so keep it short:
//
//	go test -run '^$' -bench SnapshotCatchUp -benchtime 5x ./solutions
func BenchmarkSnapshotCatchUp(b *testing.B) {
	const (
		servers  = 3
		commands = 30
		payload  = 1000
	)
	c := newBenchCluster(b, servers)
	c.snapshotEvery = 10
	defer c.shutDown()
	command := strings.Repeat("x", payload)

	var received, snapshotBytes int64
	for range b.N {
		leader := c.waitForLeader()
		f := (leader + 1) % servers
		c.cutOff(f, true)
		var last int
		for range commands {
			index, _, ok := c.rafts[leader].Start(command)
			if !ok {
				b.Fatalf("s%d stopped leading in the middle of the benchmark; %s", leader, c.describe())
			}
			if !c.waitApplied(leader, index) {
				b.Fatalf("s%d did not apply index %d within %v; %s", leader, index, applyWait, c.describe())
			}
			last = index
		}
		time.Sleep(time.Second) // f stands for election, in vain

		before := c.net.Bytes(fmt.Sprintf("s%d", f))
		c.cutOff(f, false)
		if !c.waitApplied(f, last) {
			b.Fatalf("s%d did not catch up to index %d within %v; %s", f, last, applyWait, c.describe())
		}
		received += c.net.Bytes(fmt.Sprintf("s%d", f)) - before
		snapshotBytes += int64(c.rafts[leader].persister.SnapshotSize())
	}
	b.ReportMetric(float64(received)/float64(snapshotBytes), "request-bytes/snapshot-byte")
	b.ReportMetric(float64(snapshotBytes)/float64(b.N), "snapshot-bytes")
}
