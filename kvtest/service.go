package kvtest

import (
	"fmt"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"raftlabs/labrpc"
	"raftlabs/labtest"
)

// A Service is the cluster of one lab 5 test: the student's key/value
// servers on a labtest Cluster (whose methods it has: Crash, Restart,
// Partition, CheckOneLeader, Sleep, ...), and the clerks the scenario made.
type Service struct {
	*labtest.Cluster

	makeClerk    func(ends []*labrpc.ClientEnd) Clerk
	maxRaftState int
	history      *history

	// checkSaved checks, as each write returns, that its value is in a
	// majority's saved state (CheckWritesSaved).
	checkSaved bool

	mu     sync.Mutex
	clerks int
	groups []*Clients // running groups of clients, stopped at the end

	// lastReply is, for each clerk by name, the server whose reply reached
	// it last (-1: none since its operation began): the server that
	// answered, once the operation returns.
	repliesMu sync.Mutex
	lastReply map[string]int
}

// Boot starts n key/value servers, all connected, each with an empty
// persister, on a network whose failed calls fail fast
// (labtest.ShortFailures). maxRaftState is the size in bytes of saved Raft state at which
// a server must snapshot (StartKVServer's maxraftstate), or NoSnapshots.
func (s *Service) Boot(n, maxRaftState int, opts ...labtest.Option) {
	s.maxRaftState = maxRaftState
	s.Cluster.Boot(n, append([]labtest.Option{labtest.ShortFailures}, opts...)...)
	s.lastReply = map[string]int{}
	s.Observe(s.noteReply)
}

// noteReply notes, for a reply that reached a clerk ("c3->s1"), which
// server sent it. The network calls it before the clerk's Call returns.
func (s *Service) noteReply(ev labrpc.Event) {
	if ev.Kind != labrpc.Delivered {
		return
	}
	clerk, server, ok := strings.Cut(ev.End, "->")
	if !ok || !strings.HasPrefix(clerk, "c") || !strings.HasPrefix(server, "s") {
		return
	}
	i, err := strconv.Atoi(server[1:])
	if err != nil {
		return
	}
	s.repliesMu.Lock()
	s.lastReply[clerk] = i
	s.repliesMu.Unlock()
}

// answered returns the server whose reply reached clerk last since
// forgetReplies, or -1.
func (s *Service) answered(clerk string) int {
	s.repliesMu.Lock()
	defer s.repliesMu.Unlock()
	if i, ok := s.lastReply[clerk]; ok {
		return i
	}
	return -1
}

// forgetReplies forgets the replies clerk has had: its next operation
// begins.
func (s *Service) forgetReplies(clerk string) {
	s.repliesMu.Lock()
	delete(s.lastReply, clerk)
	s.repliesMu.Unlock()
}

// A TestClerk is one of the student's clerks, as a scenario uses it: every
// operation is recorded in the history with its call and return times.
// Clerks are named c0, c1, ... in every message.
type TestClerk struct {
	s    *Service
	id   int
	name string
	ck   Clerk
}

// NewClerk makes a clerk connected to every server.
func (s *Service) NewClerk() *TestClerk {
	s.mu.Lock()
	id := s.clerks
	s.clerks++
	s.mu.Unlock()
	name := "c" + strconv.Itoa(id)
	ck := &TestClerk{s: s, id: id, name: name}
	ends := s.ClientEnds(name)
	if err := s.call(ck, "MakeClerk", func() { ck.ck = s.makeClerk(ends) }); err != nil {
		s.Fail(err)
	}
	return ck
}

// ConnectTo lets the clerk reach only the servers given, as a client on
// one side of a partition.
func (ck *TestClerk) ConnectTo(servers ...int) { ck.s.ConnectClient(ck.name, servers...) }

// String returns the clerk's name, e.g. "c3".
func (ck *TestClerk) String() string { return ck.name }

// Get returns the value of key, and records the operation.
func (ck *TestClerk) Get(key string) string {
	var value string
	ck.do(Op{Kind: Get, Key: key}, func() { value = ck.ck.Get(key) }, &value)
	return value
}

// Put sets key to value, and records the operation.
func (ck *TestClerk) Put(key, value string) {
	ck.do(Op{Kind: Put, Key: key, Value: value}, func() { ck.ck.Put(key, value) }, nil)
}

// Append appends value to key's value, and records the operation.
func (ck *TestClerk) Append(key, value string) {
	ck.do(Op{Kind: Append, Key: key, Value: value}, func() { ck.ck.Append(key, value) }, nil)
}

// do runs op through the student's clerk, recording its call before and
// its return after; out, for a Get, is where the value returned is.
func (ck *TestClerk) do(op Op, call func(), out *string) {
	s := ck.s
	s.forgetReplies(ck.name)
	rec := s.history.call(ck.id, op, s.Now())
	if err := s.call(ck, op.Kind.String(), call); err != nil {
		s.Fail(err)
	}
	if out != nil {
		rec.Result = *out
	}
	s.history.returned(rec, s.Now(), s.answered(ck.name))
	if s.checkSaved && op.Kind != Get {
		if err := s.savedByMajority(ck, rec); err != nil {
			s.Fail(err)
		}
	}
}

// CheckWritesSaved makes every write that returns from now on show that it
// went through Raft: its value must be in the saved state (Raft state or
// snapshot) of a majority of the servers, as a committed entry is. It
// holds only while nothing can erase a value a write returned before: with
// no snapshots, or with one clerk that only appends.
func (s *Service) CheckWritesSaved() { s.checkSaved = true }

// savedByMajority checks that the value rec wrote is in a majority's saved
// state.
func (s *Service) savedByMajority(ck *TestClerk, rec *record) error {
	value := []byte(rec.op.Value)
	if len(value) == 0 {
		return nil
	}
	holders := 0
	for i := range s.N() {
		if s.Saved(i, value) {
			holders++
		}
	}
	if holders > s.N()/2 {
		return nil
	}
	return fmt.Errorf("%s: %s returned at %.2fs, but the value it wrote is in the saved state (Raft state or snapshot) "+
		"of only %d of %d servers: a write may return only once it is committed, which is once a majority have its "+
		"entry in their logs, saved (§5.3, §8); a service that answers from anything but its Raft log loses writes "+
		"when servers crash", ck, rec.describe(), rec.returnAt.Seconds(), holders, s.N())
}

// call calls into the student's clerk, turning a panic into an error that
// names the clerk and the method.
func (s *Service) call(ck *TestClerk, method string, f func()) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("%s: the Clerk's %s panicked: %v\n%s", ck.name, method, v, debug.Stack())
		}
	}()
	f()
	return nil
}

// CheckGet checks that key's value, read by ck, is want: for scenarios in
// which one clerk alone writes, so the value is known.
func (s *Service) CheckGet(ck *TestClerk, key, want string) {
	if got := ck.Get(key); got != want {
		s.Fatalf("%s: Get(%q) returned %s, want %s: the last write the clerk's operations made "+
			"(each returned, so each took effect) left %s", ck, key, shortValue(got), shortValue(want), shortValue(want))
	}
}

// CheckBlocked starts op on ck and checks that it has not returned after d
// of the test's clock: a clerk that reaches only servers without a majority
// must wait, since no answer they give can be known to be current. It
// returns a channel closed when op returns.
func (s *Service) CheckBlocked(ck *TestClerk, op func(ck *TestClerk), d time.Duration, why string) <-chan struct{} {
	done := make(chan struct{})
	last := s.history.count(ck.id)
	go func() {
		defer close(done)
		op(ck)
	}()
	select {
	case <-done:
		rec := s.history.last(ck.id, last)
		s.Fatalf("%s: %s returned at %.2fs, %v after it was called, %s, but %s: a server that is not sure it "+
			"still leads a majority must not answer (paper §8: a leader must check that it has not been "+
			"deposed before it answers, and a write commits only on a majority)",
			ck, rec.describe(), rec.returnAt.Seconds(), (rec.returnAt - rec.callAt).Round(time.Millisecond), rec.answeredBy(), why)
	case <-time.After(d):
	}
	return done
}

// WaitDone waits up to d for an operation CheckBlocked started, and fails
// the test if it does not return: once the clerk reaches a majority again,
// the service must answer.
func (s *Service) WaitDone(ck *TestClerk, done <-chan struct{}, d time.Duration, why string) {
	select {
	case <-done:
	case <-time.After(d):
		s.Fatalf("%s: an operation called while the clerk was cut off from a majority did not return within %v "+
			"after %s: the clerk must keep retrying, trying each server in turn, until one that leads answers",
			ck, d, why)
	}
}

// shortValue quotes a value, shortened to its ends if it is long.
func shortValue(v string) string {
	const max = 60
	if len(v) <= max {
		return strconv.Quote(v)
	}
	return fmt.Sprintf("%q...%q (%d bytes)", v[:max/2], v[len(v)-max/2:], len(v))
}
