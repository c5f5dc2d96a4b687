package labtest

import (
	"path/filepath"
	"strings"

	"raftlabs/labrpc"
	"raftlabs/labtest/internal/runner"
	"raftlabs/raftapi"
)

// Hosted services: the face the tests of a service built on Raft (lab 5's
// key/value service, package kvtest) use to run it on a Cluster. Such a
// service makes its own Raft, so the cluster boots the service in Raft's
// place: the Make given to Run returns a *Hosted, and the cluster serves
// the service's RPCs beside its Raft's, kills it through the service, and
// asks its Raft GetState as it does any Raft's. Clients of the service
// reach the servers through ends of their own (ClientEnds), and a check
// too slow for the test's clock runs after the test (AfterTest).

// Hosted is one server of a service built on Raft, as the Make given to Run
// returns it.
type Hosted struct {
	raftapi.Raft        // the service's Raft: the harness asks it GetState
	Services     []any  // the service's RPC receivers, served beside the Raft's
	Stop         func() // the service's Kill, which must kill its Raft too
}

// Kill kills the service, and through it its Raft.
func (h *Hosted) Kill() { h.Stop() }

// services returns what server rf serves over the network: its Raft, and
// a hosted service's own receivers.
func services(rf raftapi.Raft) []*labrpc.Service {
	h, ok := rf.(*Hosted)
	if !ok {
		return []*labrpc.Service{labrpc.NewService(rf)}
	}
	svcs := []*labrpc.Service{labrpc.NewService(h.Raft)}
	for _, s := range h.Services {
		svcs = append(svcs, labrpc.NewService(s))
	}
	return svcs
}

// ShortFailures makes a call to a server that is cut off, crashed, or
// whose request the network dropped fail within 100ms instead of 7s: for
// a service's tests, whose clerks wait on such calls to try the next
// server, as MIT's key/value tests do.
var ShortFailures = Option{"calls fail fast", func(c *Cluster) { c.net.SetLongDelays(false) }}

// ClientEnds returns a client's ends to every server, named after the
// client ("c3->s0"), each connected to its server and enabled.
func (c *Cluster) ClientEnds(client string) []*labrpc.ClientEnd { return c.servers.ClientEnds(client) }

// ConnectClient lets the client reach only the servers in to: its ends to
// the others are cut, as when the client sits on one side of a partition.
func (c *Cluster) ConnectClient(client string, to ...int) { c.servers.ConnectClient(client, to...) }

// RaftStateSize returns the size of server i's saved Raft state, in bytes.
func (c *Cluster) RaftStateSize(i int) int {
	return c.servers.Persister(i).RaftStateSize()
}

// Saved reports whether what server i has saved, its Raft state or its
// snapshot (the disk it restarts from, if it has crashed), holds b.
func (c *Cluster) Saved(i int, b []byte) bool {
	return c.servers.Persister(i).Contains(b)
}

// SnapshotSize returns the size of server i's saved snapshot, in bytes.
func (c *Cluster) SnapshotSize(i int) int {
	return c.servers.Persister(i).SnapshotSize()
}

// FileBesideTrace returns the path of a file that goes with the test's
// trace, the trace's own path with suffix in place of ".jsonl", e.g.
// "-linearizability.html". A verdict names it.
func (c *Cluster) FileBesideTrace(suffix string) string {
	path := runner.TraceFile(c.run.Name, c.run.Settings.Seed)
	return strings.TrimSuffix(path, filepath.Ext(path)) + suffix
}

// AfterTest runs check once the scenario has ended and the servers are
// killed, outside the test's bubble and on the real clock, where work that
// takes real time (a linearizability check) neither stops the test's clock
// nor lets it run. An error fails the test, as Fail does; it is not run if
// the test has already failed.
func (c *Cluster) AfterTest(check func() error) {
	c.run.AfterTest(check)
}

// Observe shows f every network event from now on, after the harness's own
// observers: for a service's tests, which watch their clients' calls. The
// network calls f one event at a time, on the goroutine of the call; f
// must not block, or call into the Cluster.
func (c *Cluster) Observe(f func(labrpc.Event)) {
	c.observersMu.Lock()
	defer c.observersMu.Unlock()
	c.observers = append(c.observers, f)
}
