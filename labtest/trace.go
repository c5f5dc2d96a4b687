package labtest

import (
	"os"
	"strings"

	"raftlabs/labdebug"
	"raftlabs/labtest/internal/history"
	"raftlabs/labtest/internal/runner"
	"raftlabs/labtest/internal/tracer"
	"raftlabs/labtrace"
	"raftlabs/raftapi"
)

// The trace: every test records what its servers did (package labtrace),
// and a test that fails writes the record to a file that its verdict
// names; -savetrace writes one for every test. The harness calls the trace*
// methods below, one line at each point where something worth seeing
// happens: a server starts or crashes, the network changes shape, an RPC
// is sent or learns its fate, GetState answers, Start is called, a server
// applies an entry, a check fails.

// startTrace begins the test's trace, on the test's clock, unless
// RAFTLABS_TRACE=off, which records nothing (to measure what recording
// costs).
func (c *Cluster) startTrace() {
	labdebug.SetRecorder(nil)
	if spec, ok := runner.DebugSpec(); ok {
		labdebug.Enable(spec)
	}
	if strings.EqualFold(os.Getenv("RAFTLABS_TRACE"), "off") {
		return
	}
	clock := "virtual"
	if c.run.Settings.Realtime {
		clock = "real"
	}
	tr := tracer.New(c.start, c.run.Name, c.run.Settings.Seed, clock)
	c.run.SetTracer(tr)
	labdebug.SetRecorder(tr.Recorder())
}

// tracer returns the test's trace, or nil before the cluster is made.
func (c *Cluster) tracer() *tracer.Tracer { return c.run.Tracer() }

// add records rec, if the test has a trace.
func (c *Cluster) add(rec labtrace.Record) {
	if tr := c.tracer(); tr != nil {
		tr.Add(rec)
	}
}

// traceBoot records the cluster's size.
func (c *Cluster) traceBoot(n int) {
	c.add(labtrace.Record{Kind: labtrace.Boot, Servers: n})
}

// traceStart records that instance gen of server i has started.
func (c *Cluster) traceStart(i, gen int) {
	c.add(labtrace.Record{Kind: labtrace.Start, Server: serverName(i), Instance: gen})
}

// traceCrash records that server i crashed.
func (c *Cluster) traceCrash(i int) {
	if tr := c.tracer(); tr != nil {
		tr.Crash(i)
	}
}

// traceNetworkLocked records the network's new shape. c.mu is held.
func (c *Cluster) traceNetworkLocked(shape string) {
	groups := map[int][]string{}
	var order []int
	for i := range c.n {
		if !c.connected[i] || c.rafts[i] == nil && c.generation[i] > 0 && c.endNames[i] != nil {
			continue
		}
		if _, ok := groups[c.group[i]]; !ok {
			order = append(order, c.group[i])
		}
		groups[c.group[i]] = append(groups[c.group[i]], serverName(i))
	}
	rec := labtrace.Record{Kind: labtrace.Network, Shape: shape}
	for _, g := range order {
		rec.Groups = append(rec.Groups, groups[g])
	}
	c.add(rec)
}

// traceState records what GetState answered, if it shows something new.
func (c *Cluster) traceState(i, term int, isLeader bool) {
	if tr := c.tracer(); tr != nil {
		tr.State(i, term, isLeader)
	}
}

// traceCommand records a call of Start on server i and its answer.
func (c *Cluster) traceCommand(i int, command any, index, term int, isLeader bool) {
	c.add(labtrace.Record{Kind: labtrace.Command, Server: serverName(i), Command: commandText(command),
		Index: index, Term: term, OK: isLeader})
}

// traceApply records a message server i sent on its applyCh.
func (c *Cluster) traceApply(i int, m raftapi.ApplyMsg) {
	switch {
	case m.CommandValid:
		c.add(labtrace.Record{Kind: labtrace.Apply, Server: serverName(i), Index: m.CommandIndex, Command: commandText(m.Command)})
	case m.SnapshotValid:
		c.add(labtrace.Record{Kind: labtrace.Snapshot, Server: serverName(i), Index: m.SnapshotIndex, Term: m.SnapshotTerm})
	}
}

// traceRPC records an event of the network's: an RPC sent, or its fate.
func (c *Cluster) traceRPC(ev *history.Event) {
	if tr := c.tracer(); tr != nil {
		tr.RPC(ev)
	}
}
