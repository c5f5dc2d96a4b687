package service

import (
	"time"

	"raftlabs/labtest/internal/stacks"
	"raftlabs/raftapi"
)

// Host is what the reader of a server's applyCh needs of the cluster.
type Host interface {
	// Instance returns server i's running instance if it is instance gen,
	// nil if not.
	Instance(i, gen int) raftapi.Raft
	// SavedSnapshot returns the snapshot server i boots with.
	SavedSnapshot(i int) []byte
	// Applied is told of every message server i sent (for the trace).
	Applied(i int, m raftapi.ApplyMsg)
	// Holds is told of the bytes of every snapshot the service of server i
	// takes, before it gives them to its server; Snapshotted, once Snapshot
	// has returned, of the index it took it after.
	Holds(i int, data []byte)
	Snapshotted(i, index int)
}

// CallBackName is the function through which the reader calls back into
// its server after each message, as goroutine dumps name it: the watchdog
// recognises by it a reader that waits for its server's lock (a Raft that
// sends on applyCh while holding it).
var CallBackName = stacks.FuncName(callBack)

// Read reads instance gen of server i's applyCh until stopping is closed,
// as the service above Raft would, and checks every message. Like a real
// service it calls back into its server after each message (GetState, as
// a key/value server asks whether it still leads), so a Raft that sends on
// applyCh while holding its lock deadlocks here as it would there. A
// closed applyCh is the end of that instance's messages. With every > 0,
// the service snapshots after each index that is a multiple of every, and
// restores the snapshot the server boots with before its first message;
// slow is how long a call into the server may take.
func (a *Checker) Read(h Host, i, gen int, applyCh chan raftapi.ApplyMsg, every int, slow time.Duration, stopping <-chan struct{}) {
	// Before Make, since the scenario's staggered boot sleeps first.
	if every > 0 {
		a.Restore(i, gen, h.SavedSnapshot(i))
	}
	for {
		select {
		case m, ok := <-applyCh:
			if !ok {
				a.Closed(i, gen)
				return
			}
			taken := m
			if m.SnapshotValid {
				taken = a.Takes(h.Instance(i, gen), i, gen, m, slow)
			}
			applied := a.Receive(i, gen, taken)
			h.Applied(i, m)
			if d := a.ServiceTime(i); d > 0 {
				time.Sleep(d) // a slow service: it works on the message before it calls back
			}
			callBack(h.Instance(i, gen))
			if applied && every > 0 && m.CommandIndex%every == 0 {
				a.takeSnapshot(h, i, gen, m.CommandIndex, slow)
			}
		case <-stopping:
			return
		}
	}
}

// callBack calls GetState on rf, if it is still running, as the service
// does between messages. A panic here is left to the scenario's own calls
// to report.
func callBack(rf raftapi.Raft) {
	if rf == nil {
		return
	}
	defer func() { _ = recover() }()
	rf.GetState()
}

// takeSnapshot is the service of instance gen of server i snapshotting
// after it applied index: it calls Snapshot and waits for it to return.
func (a *Checker) takeSnapshot(h Host, i, gen, index int, slow time.Duration) {
	rf := h.Instance(i, gen)
	if rf == nil {
		return
	}
	data, err := a.MakeSnapshot(i, index)
	if err != nil {
		a.FailWith(err)
		return
	}
	h.Holds(i, data)
	a.Snapshot(rf, i, gen, index, data, slow)
	h.Snapshotted(i, index)
}
