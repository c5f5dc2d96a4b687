package solutions

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"raftlabs/labrpc"
	"raftlabs/raftapi"
)

// BenchmarkSteadyState measures how much network the reference uses to
// commit commands in steady state: three servers on a reliable network, a
// leader in place, and a stream of Starts of 1000-byte commands from a few
// clients, each of which starts a command and waits until the leader has
// applied it before starting the next. Every command is applied on all
// three servers before the clock stops. It reports
//
//   - rpcs/command and rpcs/command/follower: batching should keep the
//     latter well under 2 (one AppendEntries and at most one commit notice
//     per follower, shared by the commands that ride together);
//   - request-bytes/payload-byte: the bytes of every RPC request sent, over
//     the bytes of the commands; each command goes to each follower about
//     once, so it should be close to the number of followers, 2.
//
// It runs in real time (a *testing.B cannot run in a synctest bubble), so
// keep it short:
//
//	go test -run '^$' -bench SteadyState -benchtime 2000x ./solutions
func BenchmarkSteadyState(b *testing.B) {
	const (
		servers = 3
		clients = 4
		payload = 1000
	)
	c := newBenchCluster(b, servers)
	defer c.shutDown()
	leader := c.waitForLeader()
	command := strings.Repeat("x", payload)

	rpcs, bytes := c.net.TotalCount(), c.net.TotalBytes()
	b.ResetTimer()
	var wg sync.WaitGroup
	var last int
	var lastMu sync.Mutex
	for k := range clients {
		wg.Go(func() {
			for i := k; i < b.N; i += clients {
				index, _, ok := c.rafts[leader].Start(command)
				if !ok {
					b.Errorf("s%d stopped leading in the middle of the benchmark", leader)
					return
				}
				lastMu.Lock()
				last = max(last, index)
				lastMu.Unlock()
				if !c.waitApplied(leader, index) {
					b.Errorf("s%d did not apply index %d within %v; %s", leader, index, applyWait, c.describe())
					return
				}
			}
		})
	}
	wg.Wait()
	for i := range servers {
		if !b.Failed() && !c.waitApplied(i, last) {
			b.Errorf("s%d did not apply index %d within %v; %s", i, last, applyWait, c.describe())
		}
	}
	b.StopTimer()
	if b.Failed() {
		return
	}

	rpcs, bytes = c.net.TotalCount()-rpcs, c.net.TotalBytes()-bytes
	b.ReportMetric(float64(rpcs)/float64(b.N), "rpcs/command")
	b.ReportMetric(float64(rpcs)/float64(b.N)/(servers-1), "rpcs/command/follower")
	b.ReportMetric(float64(bytes)/float64(b.N*payload), "request-bytes/payload-byte")
}

// benchCluster is the benchmark's three servers on a labrpc network, with
// a goroutine per server that consumes its applyCh and records how far it
// has applied.
type benchCluster struct {
	b     *testing.B
	net   *labrpc.Network
	rafts []*Raft

	// snapshotEvery, if not 0, makes each server's applyCh consumer act as
	// a snapshotting service: its state is every command it has applied,
	// and every snapshotEvery entries it hands that state to Snapshot.
	snapshotEvery int

	mu      sync.Mutex
	cond    *sync.Cond
	applied []int // per server: the highest index applied
	stop    chan struct{}
	drains  sync.WaitGroup
}

func newBenchCluster(b *testing.B, n int) *benchCluster {
	c := &benchCluster{
		b:       b,
		net:     labrpc.NewNetwork(1),
		rafts:   make([]*Raft, n),
		applied: make([]int, n),
		stop:    make(chan struct{}),
	}
	c.cond = sync.NewCond(&c.mu)
	for i := range n {
		ends := make([]*labrpc.ClientEnd, n)
		for j := range n {
			name := fmt.Sprintf("s%d->s%d", i, j)
			ends[j] = c.net.NewEnd(name)
			c.net.Connect(name, fmt.Sprintf("s%d", j))
			c.net.Enable(name, true)
		}
		applyCh := make(chan raftapi.ApplyMsg)
		c.drains.Go(func() { c.drain(i, applyCh) })
		c.rafts[i] = Make(ends, i, raftapi.MakePersister(), applyCh)
		srv := labrpc.NewServer()
		srv.AddService(labrpc.NewService(c.rafts[i]))
		c.net.AddServer(fmt.Sprintf("s%d", i), srv)
	}
	return c
}

// drain consumes server i's applyCh until the cluster shuts down.
func (c *benchCluster) drain(i int, applyCh chan raftapi.ApplyMsg) {
	var state []byte // with snapshotEvery: the commands applied, one after the other
	for {
		select {
		case m := <-applyCh:
			switch {
			case m.CommandValid:
				c.setApplied(i, m.CommandIndex)
				if c.snapshotEvery == 0 {
					break
				}
				state = fmt.Append(state, m.Command)
				if m.CommandIndex%c.snapshotEvery == 0 {
					c.rafts[i].Snapshot(m.CommandIndex, state)
				}
			case m.SnapshotValid:
				state = append([]byte(nil), m.Snapshot...)
				c.setApplied(i, m.SnapshotIndex)
			}
		case <-c.stop:
			return
		}
	}
}

// setApplied records that server i has applied everything through index.
func (c *benchCluster) setApplied(i, index int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.applied[i] = index
	c.cond.Broadcast()
}

// cutOff disconnects server i from the others, both ways, or reconnects it.
func (c *benchCluster) cutOff(i int, off bool) {
	for j := range c.rafts {
		if j != i {
			c.net.Enable(fmt.Sprintf("s%d->s%d", i, j), !off)
			c.net.Enable(fmt.Sprintf("s%d->s%d", j, i), !off)
		}
	}
}

// waitForLeader waits up to 5 seconds for exactly one server to lead.
func (c *benchCluster) waitForLeader() int {
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
		leaders := []int{}
		for i, rf := range c.rafts {
			if _, isLeader := rf.GetState(); isLeader {
				leaders = append(leaders, i)
			}
		}
		if len(leaders) == 1 {
			return leaders[0]
		}
	}
	c.b.Fatalf("no single leader within 5s")
	return -1
}

// describe shows each server's term, role and last applied index.
func (c *benchCluster) describe() string {
	var parts []string
	for i, rf := range c.rafts {
		term, isLeader := rf.GetState()
		c.mu.Lock()
		applied := c.applied[i]
		c.mu.Unlock()
		role := "follower"
		if isLeader {
			role = "leader"
		}
		parts = append(parts, fmt.Sprintf("s%d: term %d %s, applied %d", i, term, role, applied))
	}
	return strings.Join(parts, "; ")
}

// applyWait bounds the wait for one command to be applied.
const applyWait = 10 * time.Second

// waitApplied waits until server i has applied index, and reports false if
// that takes longer than applyWait.
func (c *benchCluster) waitApplied(i, index int) bool {
	give := time.AfterFunc(applyWait, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.cond.Broadcast()
	})
	defer give.Stop()
	deadline := time.Now().Add(applyWait)
	c.mu.Lock()
	defer c.mu.Unlock()
	for c.applied[i] < index {
		if !time.Now().Before(deadline) {
			return false
		}
		c.cond.Wait()
	}
	return true
}

// shutDown kills every server, then stops the applyCh consumers. RPCs still
// in flight end on their own: the network is reliable and fast.
func (c *benchCluster) shutDown() {
	for _, rf := range c.rafts {
		rf.Kill()
	}
	close(c.stop)
	c.drains.Wait()
}
