package servers

import (
	"runtime/debug"
	"time"

	"raftlabs/labrpc"
	"raftlabs/labtest/internal/testproc"
	"raftlabs/raftapi"
)

// Calls into the student's code: Make, bounded in time, and any method,
// with its panic caught.

// MakeTimeout bounds Make: it must start its goroutines and return.
const MakeTimeout = 5 * time.Second

// A MakeFunc is a lab's Make, with the result widened to raftapi.Raft.
type MakeFunc func(peers []*labrpc.ClientEnd, me int, persister *raftapi.Persister, applyCh chan raftapi.ApplyMsg) raftapi.Raft

// A Made is what one call to Make did: returned a Raft, or panicked.
type Made struct {
	Raft     raftapi.Raft
	Panicked any
	Stack    []byte
}

// Watcher is told when a Make is running, so that a stall inside it is
// charged to Make (runner.Run is one).
type Watcher interface {
	MakeStarts(i int)
	MakeReturned()
}

// TryMake calls newRaft for server i and returns what it did; returned is
// false if it did not return within MakeTimeout.
func TryMake(newRaft MakeFunc, i int, ends []*labrpc.ClientEnd, p *raftapi.Persister, applyCh chan raftapi.ApplyMsg, w Watcher) (m Made, returned bool) {
	result := make(chan Made, 1)
	w.MakeStarts(i)
	defer w.MakeReturned()
	go func() {
		defer func() {
			if v := recover(); v != nil {
				result <- Made{Panicked: v, Stack: debug.Stack()}
			}
		}()
		result <- Made{Raft: newRaft(ends, i, p, applyCh)}
	}()
	select {
	case m := <-result:
		return m, true
	case <-time.After(MakeTimeout):
		return Made{}, false
	}
}

// Call runs call, a call into server i's method, and returns its panic, if
// it panicked, as the failure it is.
func Call(i int, method string, call func()) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = testproc.Failf("s%d: %s panicked: %v\n%s", i, method, v, debug.Stack())
		}
	}()
	call()
	return nil
}
