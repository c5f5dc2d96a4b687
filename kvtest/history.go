package kvtest

import (
	"fmt"
	"sync"
	"time"
)

// The history: every operation every clerk called, with its call and
// return times on the test's clock, for the linearizability check.

// Kind is what an operation does.
type Kind int

const (
	Get Kind = iota
	Put
	Append
)

// String returns the operation's name, as the Clerk's method is named.
func (k Kind) String() string {
	switch k {
	case Get:
		return "Get"
	case Put:
		return "Put"
	default:
		return "Append"
	}
}

// An Op is one operation's input: what the clerk was asked to do.
type Op struct {
	Kind  Kind
	Key   string
	Value string // Put's and Append's argument
}

// A record is one operation in the history.
type record struct {
	clerk    int
	op       Op
	Result   string // what a Get returned
	callAt   time.Duration
	returnAt time.Duration // 0 while it has not returned
	server   int           // the server whose reply the clerk got last before it returned; -1: none
}

// answeredBy says which server answered the operation, e.g. "answered by
// s3", or "" if it has not returned.
func (r *record) answeredBy() string {
	switch {
	case r.returnAt == 0:
		return ""
	case r.server < 0:
		return "answered by no server (no reply reached the clerk)"
	}
	return fmt.Sprintf("answered by s%d", r.server)
}

// describe says what the operation did, e.g. `Get("k1") -> "x0.3"`.
func (r *record) describe() string {
	switch r.op.Kind {
	case Get:
		if r.returnAt == 0 {
			return fmt.Sprintf("Get(%q) (no answer)", r.op.Key)
		}
		return fmt.Sprintf("Get(%q) -> %s", r.op.Key, shortValue(r.Result))
	default:
		return fmt.Sprintf("%s(%q, %q)", r.op.Kind, r.op.Key, r.op.Value)
	}
}

// history is every operation of the test's clerks, in the order called.
type history struct {
	mu  sync.Mutex
	ops []*record
}

func newHistory() *history { return &history{} }

// call records that clerk called op at the time at.
func (h *history) call(clerk int, op Op, at time.Duration) *record {
	h.mu.Lock()
	defer h.mu.Unlock()
	r := &record{clerk: clerk, op: op, callAt: at, server: -1}
	h.ops = append(h.ops, r)
	return r
}

// returned records that r returned at the time at, answered by server
// (-1: by none the tests saw). (A zero time cannot be told from no return:
// the earliest return is taken as 1ns.)
func (h *history) returned(r *record, at time.Duration, server int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	r.returnAt = max(at, 1)
	r.server = server
}

// returns returns how many operations have returned.
func (h *history) returns() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, r := range h.ops {
		if r.returnAt != 0 {
			n++
		}
	}
	return n
}

// count returns how many operations clerk has called.
func (h *history) count(clerk int) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, r := range h.ops {
		if r.clerk == clerk {
			n++
		}
	}
	return n
}

// last returns a copy of clerk's operation after its first skip ones.
func (h *history) last(clerk, skip int) record {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, r := range h.ops {
		if r.clerk == clerk {
			if n == skip {
				return *r
			}
			n++
		}
	}
	return record{}
}

// records returns a copy of every operation so far.
func (h *history) records() []record {
	h.mu.Lock()
	defer h.mu.Unlock()
	rs := make([]record, len(h.ops))
	for k, r := range h.ops {
		rs[k] = *r
	}
	return rs
}
