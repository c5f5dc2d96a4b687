package servers

import (
	"runtime/debug"
	"time"

	"raftlabs/labrpc"
	"raftlabs/labtest/internal/stacks"
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
// charged to Make (runner.Run is one). caller names the function that runs
// Make on a goroutine of its own, as goroutine dumps write it with the
// opening parenthesis of its arguments: the goroutine whose stack has it
// is the one running Make.
type Watcher interface {
	MakeStarts(i int, caller string)
	MakeReturned()
}

// makeCaller is how goroutine dumps name callMake, taken from the function
// itself so that a rename cannot leave the watchdog looking for the old name.
var makeCaller = stacks.FuncName(callMake) + "("

// TryMake calls newRaft for server i and returns what it did; returned is
// false if it did not return within MakeTimeout.
func TryMake(newRaft MakeFunc, i int, ends []*labrpc.ClientEnd, p *raftapi.Persister, applyCh chan raftapi.ApplyMsg, w Watcher) (m Made, returned bool) {
	result := make(chan Made, 1)
	w.MakeStarts(i, makeCaller)
	defer w.MakeReturned()
	go callMake(result, func() raftapi.Raft { return newRaft(ends, i, p, applyCh) })
	select {
	case m := <-result:
		return m, true
	case <-time.After(MakeTimeout):
		return Made{}, false
	}
}

// callMake calls newRaft, a server's Make, and sends what it did on result:
// the Raft it returned, or its panic.
func callMake(result chan<- Made, newRaft func() raftapi.Raft) {
	defer func() {
		if v := recover(); v != nil {
			result <- Made{Panicked: v, Stack: debug.Stack()}
		}
	}()
	result <- Made{Raft: newRaft()}
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
