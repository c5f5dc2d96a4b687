package labtest

import (
	"time"

	"raftlabs/labtest/internal/service"
	"raftlabs/labtest/internal/stacks"
	"raftlabs/raftapi"
)

// The service above each server, as package service models it: the
// cluster's side of it is the goroutine that reads each applyCh, the calls
// the service makes into its server, and lab 4's snapshots. What the
// service checks of what it is sent (the rules of applying, state machine
// safety, the snapshots on applyCh) is package service's.

// SnapshotInterval is how many applied entries pass between two snapshots:
// the service snapshots after each index that is a multiple of it.
const SnapshotInterval = service.SnapshotInterval

// RaftStateBound is the largest saved Raft state (Persister.RaftStateSize)
// the lab 4 tests allow on a server whose service snapshots every
// SnapshotInterval entries: MIT 6.5840's MAXLOGSIZE.
const RaftStateBound = service.RaftStateBound

// Snapshots turns the service's snapshots on: c.Boot(3, Snapshots).
var Snapshots = Option{"snapshots every 10 entries", func(c *Cluster) { c.snapshotEvery = SnapshotInterval }}

// drain reads instance gen of server i's applyCh for the whole test, as
// the service above Raft would, and hands every message to the checker.
// Like a real service it calls back into its server after each message
// (GetState, as a key/value server asks whether it still leads), so a Raft
// that sends on applyCh while holding its lock deadlocks here as it would
// there. A closed applyCh is the end of that instance's messages.
func (c *Cluster) drain(i, gen int, applyCh chan raftapi.ApplyMsg) {
	c.run.Reader(i, serviceCallName)
	c.drains.Add(1)
	defer c.drains.Add(-1)
	c.restoreService(i, gen)
	for {
		select {
		case m, ok := <-applyCh:
			if !ok {
				c.applies.Closed(i, gen)
				return
			}
			taken := m
			if m.SnapshotValid {
				taken = c.applies.Takes(c.servers.Instance(i, gen), i, gen, m, c.slowCall())
			}
			applied := c.applies.Receive(i, gen, taken)
			c.run.Tracer().Apply(i, m)
			if d := c.applies.ServiceTime(i); d > 0 {
				time.Sleep(d) // a slow service: it works on the message before it calls back
			}
			c.serviceCall(i, gen)
			if applied && c.snapshotEvery > 0 && m.CommandIndex%c.snapshotEvery == 0 {
				c.takeSnapshot(i, gen, m.CommandIndex)
			}
		case <-c.stopping:
			return
		}
	}
}

// serviceCallName is serviceCall's name in goroutine dumps, by which the
// watchdog recognises a reader that waits for its server's lock (a Raft
// that sends on applyCh while holding it).
var serviceCallName = stacks.FuncName((*Cluster).serviceCall)

// serviceCall calls GetState on instance gen of server i, if it is still
// running, as the service does between messages. A panic here is left to
// the scenario's own calls to report.
func (c *Cluster) serviceCall(i, gen int) {
	rf := c.servers.Instance(i, gen)
	if rf == nil {
		return
	}
	defer func() { _ = recover() }()
	rf.GetState()
}

// takeSnapshot is the service of instance gen of server i snapshotting
// after it applied index: it calls Snapshot and waits for it to return.
func (c *Cluster) takeSnapshot(i, gen, index int) {
	rf := c.servers.Instance(i, gen)
	if rf == nil {
		return
	}
	data, err := c.applies.MakeSnapshot(i, index)
	if err != nil {
		c.applies.FailWith(err)
		return
	}
	c.receipts.SnapshotHeld(i, data)
	c.applies.Snapshot(rf, i, gen, index, data, c.slowCall())
	c.exchanges.NoteSnapshot(i, index, c.Now())
}

// restoreService reads the snapshot instance gen of server i boots with,
// as its service does at boot. drain calls it before it reads the first
// message; it runs before Make, since the scenario's staggered boot sleeps
// first.
func (c *Cluster) restoreService(i, gen int) {
	if c.snapshotEvery == 0 {
		return
	}
	c.applies.Restore(i, gen, c.servers.Persister(i).ReadSnapshot())
}

// CheckRaftStateSize checks every server's saved Raft state against
// RaftStateBound.
func (c *Cluster) CheckRaftStateSize() {
	c.t.Helper()
	sizes := make([]int, c.n)
	for i := range c.n {
		sizes[i] = c.RaftStateSize(i)
	}
	if err := service.RaftStateSizes(sizes, c.applies.MaxIndex()); err != nil {
		c.Fatalf("%v", err)
	}
}
