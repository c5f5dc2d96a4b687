package raftapi

import (
	"bytes"
	"sync"
)

// Persister stands in for a server's disk. It holds the latest Raft state
// and snapshot saved with Save. The tests hand a restarted server a copy of
// its persister, so whatever was saved before a crash is what it boots with,
// and a killed server's late writes never reach the new instance.
type Persister struct {
	mu        sync.Mutex
	raftState []byte
	snapshot  []byte

	// shared is set when Copy gave raftState's array to another
	// persister as well: Save then writes the next state to a new array.
	// Otherwise Save reuses the array (see keepState). A snapshot's array is
	// never written again, so it is shared freely.
	shared bool
}

// MakePersister returns an empty persister, as a server finds on first boot.
func MakePersister() *Persister {
	return &Persister{}
}

// Copy returns a new persister holding the same state and snapshot: the disk
// a crashed server restarts with.
func (p *Persister) Copy() *Persister {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.shared = true
	return &Persister{raftState: p.raftState, snapshot: p.snapshot, shared: true}
}

// Save atomically replaces both the Raft state and the snapshot. Pass the
// current snapshot (ReadSnapshot) when only the Raft state changed; nil
// means no snapshot.
func (p *Persister) Save(raftState []byte, snapshot []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.keepState(raftState)
	p.keepSnapshot(snapshot)
}

// SaveRaftState replaces the Raft state and keeps the snapshot: MIT 6.824's
// 2021–2022 name for Save(state, ReadSnapshot()), for code written then.
func (p *Persister) SaveRaftState(state []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.keepState(state)
}

// SaveStateAndSnapshot atomically replaces both the Raft state and the
// snapshot, as Save does: MIT 6.824's 2021–2022 name for it.
func (p *Persister) SaveStateAndSnapshot(state []byte, snapshot []byte) {
	p.Save(state, snapshot)
}

// ReadRaftState returns a copy of the saved Raft state, or nil if none.
func (p *Persister) ReadRaftState() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return clone(p.raftState)
}

// RaftStateSize returns the size in bytes of the saved Raft state.
func (p *Persister) RaftStateSize() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.raftState)
}

// ReadSnapshot returns a copy of the saved snapshot, or nil if none.
func (p *Persister) ReadSnapshot() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return clone(p.snapshot)
}

// SnapshotSize returns the size in bytes of the saved snapshot.
func (p *Persister) SnapshotSize() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.snapshot)
}

// Contains reports whether the saved Raft state or snapshot holds b, without
// copying either. The tests use it to check what a server has saved.
func (p *Persister) Contains(b []byte) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return bytes.Contains(p.raftState, b) || bytes.Contains(p.snapshot, b)
}

// keepState makes a copy of state the saved Raft state. A Raft saves its
// whole state at every change, so the copy goes into the array of the
// state it replaces when that array is this persister's alone, large
// enough, and not larger than a new one would be (stateRoom): a state that
// shrank, as a snapshot shrinks it, gets an array of its own size, so that
// the memory of the entries it no longer holds is freed. p.mu must be held.
func (p *Persister) keepState(state []byte) {
	if state == nil {
		p.raftState, p.shared = nil, false
		return
	}
	if p.shared || cap(p.raftState) < len(state) || cap(p.raftState) > len(state)+stateRoom(len(state)) {
		p.raftState = append(make([]byte, 0, len(state)+stateRoom(len(state))), state...)
		p.shared = false
		return
	}
	p.raftState = append(p.raftState[:0], state...)
}

// stateRoom is the room a new array for a Raft state of n bytes has for
// the state to grow in, as a log grows, an entry at a time: half the state
// again, but at most 64 KiB, so that the array of a large state is not
// much larger than the state. (The tests that check what a Raft frees,
// such as lab 4's TestDiscardedEntriesFreedLab4, count the saved state's
// array among what is freed when the state shrinks.)
func stateRoom(n int) int {
	return min(n/2, 64<<10) + 64
}

// keepSnapshot makes a copy of snapshot the saved snapshot. A Raft passes
// the same snapshot again at most saves, and then the saved one is kept.
// p.mu must be held.
func (p *Persister) keepSnapshot(snapshot []byte) {
	if (snapshot == nil) == (p.snapshot == nil) && bytes.Equal(snapshot, p.snapshot) {
		return
	}
	p.snapshot = clone(snapshot)
}

func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte(nil), b...)
}
