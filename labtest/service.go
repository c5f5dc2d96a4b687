package labtest

import (
	"raftlabs/labtest/internal/service"
	"raftlabs/raftapi"
)

// The service above each server, as package service models it: a
// goroutine that reads each applyCh, calls back into its server and takes
// lab 4's snapshots, and checks what it is sent (the rules of applying,
// state machine safety, the snapshots on applyCh). The cluster starts it
// and shows it what only the cluster knows (serviceView).

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
// the service above Raft would, and hands every message to the checker;
// see service.Checker.Read.
func (c *Cluster) drain(i, gen int, applyCh chan raftapi.ApplyMsg) {
	c.run.Reader(i, service.CallBackName)
	c.drains.Add(1)
	defer c.drains.Add(-1)
	c.applies.Read(serviceView{c}, i, gen, applyCh, c.snapshotEvery, c.slowCall(), c.stopping)
}

// serviceView is what the service (package service) sees of the cluster.
type serviceView struct{ c *Cluster }

func (v serviceView) Instance(i, gen int) raftapi.Raft  { return v.c.servers.Instance(i, gen) }
func (v serviceView) SavedSnapshot(i int) []byte        { return v.c.servers.Persister(i).ReadSnapshot() }
func (v serviceView) Applied(i int, m raftapi.ApplyMsg) { v.c.run.Tracer().Apply(i, m) }
func (v serviceView) Holds(i int, data []byte)          { v.c.receipts.SnapshotHeld(i, data) }
func (v serviceView) Snapshotted(i, index int)          { v.c.exchanges.NoteSnapshot(i, index, v.c.Now()) }

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
