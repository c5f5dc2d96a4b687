package tracer

import (
	"fmt"
	"sync"
	"time"

	"raftlabs/labrpc"
	"raftlabs/labtest/internal/history"
	"raftlabs/labtest/internal/testproc"
	"raftlabs/labtest/internal/words"
	"raftlabs/labtrace"
	"raftlabs/raftapi"
)

// A Tracer is one test's trace and what it has inferred of each server.
type Tracer struct {
	rec *labtrace.Recorder

	mu    sync.Mutex
	calls map[int]int  // RPCs waiting for their fate, by call number: their record
	known map[int]seen // each server's role and term, as last recorded
}

// seen is what the trace last showed of a server.
type seen struct {
	role string // "" when unknown: before anything is seen, after a crash
	term int
}

// New begins a test's trace, on the test's clock, which started at start.
func New(start time.Time, test string, seed int64, clock string) *Tracer {
	tr := &Tracer{
		rec:   labtrace.NewRecorder(start),
		calls: map[int]int{},
		known: map[int]seen{},
	}
	tr.rec.Add(labtrace.Record{Kind: labtrace.Test, T: 0, Test: test, Seed: seed, Clock: clock})
	return tr
}

// Recorder returns the trace's recorder, for labdebug's lines.
func (tr *Tracer) Recorder() *labtrace.Recorder { return tr.rec }

// Add records rec. A nil Tracer, a test that records nothing
// (RAFTLABS_TRACE=off), records nothing, here and in every method below.
func (tr *Tracer) Add(rec labtrace.Record) {
	if tr != nil {
		tr.rec.Add(rec)
	}
}

// Boot records the cluster's size.
func (tr *Tracer) Boot(n int) { tr.Add(labtrace.Record{Kind: labtrace.Boot, Servers: n}) }

// Start records that instance gen of server i has started.
func (tr *Tracer) Start(i, gen int) {
	tr.Add(labtrace.Record{Kind: labtrace.Start, Server: words.Server(i), Instance: gen})
}

// Network records the network's new shape, and its groups of connected
// servers.
func (tr *Tracer) Network(shape string, groups [][]string) {
	tr.Add(labtrace.Record{Kind: labtrace.Network, Shape: shape, Groups: groups})
}

// Command records a call of Start on server i and its answer.
func (tr *Tracer) Command(i int, command any, index, term int, isLeader bool) {
	tr.Add(labtrace.Record{Kind: labtrace.Command, Server: words.Server(i), Command: words.Command(command),
		Index: index, Term: term, OK: isLeader})
}

// Apply records a message server i sent on its applyCh.
func (tr *Tracer) Apply(i int, m raftapi.ApplyMsg) {
	switch {
	case m.CommandValid:
		tr.Add(labtrace.Record{Kind: labtrace.Apply, Server: words.Server(i), Index: m.CommandIndex, Command: words.Command(m.Command)})
	case m.SnapshotValid:
		tr.Add(labtrace.Record{Kind: labtrace.Snapshot, Server: words.Server(i), Index: m.SnapshotIndex, Term: m.SnapshotTerm})
	}
}

// Crash records that server i crashed. What the trace knew of its role and
// term died with it.
func (tr *Tracer) Crash(i int) {
	if tr == nil {
		return
	}
	tr.mu.Lock()
	delete(tr.known, i)
	tr.mu.Unlock()
	tr.rec.Add(labtrace.Record{Kind: labtrace.Crash, Server: words.Server(i)})
}

// State records what GetState answered, if it shows something new.
func (tr *Tracer) State(i, term int, isLeader bool) {
	if tr == nil {
		return
	}
	tr.mu.Lock()
	defer tr.mu.Unlock()
	k := tr.known[i]
	role := labtrace.Follower
	switch {
	case isLeader:
		role = labtrace.Leader
	case term == k.term && k.role == labtrace.Candidate:
		role = labtrace.Candidate // GetState cannot tell a candidate from a follower
	}
	tr.sawLocked(i, role, term, "GetState")
}

// sawLocked records server i in role and term, if that is new. tr.mu is
// held.
func (tr *Tracer) sawLocked(i int, role string, term int, source string) {
	if k := tr.known[i]; k.role == role && k.term == term {
		return
	}
	tr.known[i] = seen{role: role, term: term}
	tr.rec.Add(labtrace.Record{Kind: labtrace.State, Server: words.Server(i), Role: role, Term: term, Source: source})
}

// RPC records one event of an RPC between servers: a new record when it
// is sent, its fate when known. The harness's own calls are left out.
func (tr *Tracer) RPC(ev *history.Event) {
	if tr == nil {
		return
	}
	from, to, method, ok := ev.Between()
	if !ok {
		return
	}
	key := ev.Call
	if ev.Kind == labrpc.Sent {
		args, _ := ev.ArgsFields()
		tr.mu.Lock()
		defer tr.mu.Unlock()
		// Sending shows what the sender believes it is.
		k := tr.known[from]
		switch {
		case method == "RequestVote" && (args.Term > k.term || args.Term == k.term && k.role == labtrace.Follower):
			tr.sawLocked(from, labtrace.Candidate, args.Term, "sent RequestVote")
		case method == "AppendEntries" && args.Term >= k.term && args.Term > 0:
			tr.sawLocked(from, labtrace.Leader, args.Term, "sent AppendEntries")
		}
		id := tr.rec.Add(labtrace.Record{Kind: labtrace.RPC, From: words.Server(from), To: words.Server(to),
			Method: method, ArgsTerm: args.Term, Bytes: ev.Bytes})
		if id >= 0 {
			tr.calls[key] = id
		}
		return
	}

	done := labtrace.Micros(tr.rec.Since())
	fate := fateOf(ev.Kind)
	var reply history.Fields
	if ev.Kind == labrpc.Delivered {
		reply, _ = ev.ReplyFields()
	}
	tr.mu.Lock()
	defer tr.mu.Unlock()
	id, ok := tr.calls[key]
	delete(tr.calls, key)
	update := func(r *labtrace.Record) {
		r.Fate, r.Done = fate, max(done, 1)
		if ev.Kind == labrpc.Delivered {
			r.ReplyTerm = reply.Term
			r.OK = reply.GrantedVote() || reply.AppendSucceeded()
		}
	}
	if !ok {
		args, _ := ev.ArgsFields()
		r := labtrace.Record{Kind: labtrace.RPC, T: max(done, 1), From: words.Server(from), To: words.Server(to),
			Method: method, ArgsTerm: args.Term, Bytes: ev.Bytes}
		update(&r)
		tr.rec.Add(r)
	} else {
		tr.rec.Update(id, update)
	}
	// A reply shows the receiver's term after it handled the call.
	if ev.Kind == labrpc.Delivered && reply.Term > tr.known[to].term {
		tr.sawLocked(to, labtrace.Follower, reply.Term, "answered "+method)
	}
}

// fateOf names an RPC's outcome as the trace does.
func fateOf(k labrpc.EventKind) string {
	switch k {
	case labrpc.Delivered:
		return labtrace.Delivered
	case labrpc.RequestDropped:
		return labtrace.RequestDropped
	case labrpc.ReplyLost:
		return labtrace.ReplyLost
	case labrpc.Unreachable:
		return labtrace.Unreachable
	case labrpc.ServerDead:
		return labtrace.ServerDead
	}
	return k.String()
}

// Fail ends the trace with a test's first failure, at the moment it was
// found: call it inside the test's bubble, where the clock is the test's
// own.
func (tr *Tracer) Fail(f *testproc.Failure) {
	tr.rec.Seal(labtrace.Record{Kind: labtrace.Fail, Where: f.Where, Property: f.Property, Text: f.Evidence})
}

// Abort ends the trace with the watcher's verdict, at elapsed, the last
// time the test's clock was seen.
func (tr *Tracer) Abort(elapsed time.Duration, verdict string) {
	at := labtrace.Micros(elapsed)
	tr.rec.Seal(labtrace.Record{Kind: labtrace.Fail, T: max(at, 1), Text: verdict})
}

// FailAt ends the trace with a failure found outside the test's bubble, at
// elapsed, the last time the test's clock was seen.
func (tr *Tracer) FailAt(elapsed time.Duration, f *testproc.Failure) {
	at := labtrace.Micros(elapsed)
	tr.rec.Seal(labtrace.Record{Kind: labtrace.Fail, T: max(at, 1), Property: f.Property, Text: f.Evidence})
}

// Write writes the trace of a test that ended with res to the file path,
// ending it first if the test passed, and returns the lines that name the
// file for a person to read.
func (tr *Tracer) Write(path string, res *testproc.Result) (string, error) {
	if res.Passed {
		tr.rec.Seal(labtrace.Record{Kind: labtrace.End, T: max(labtrace.Micros(res.Virtual), 1)})
	}
	if err := labtrace.WriteFile(path, tr.rec.Records()); err != nil {
		return "", err
	}
	full := ""
	if n := tr.rec.Dropped(); n > 0 {
		full = fmt.Sprintf(" (full: %d records were left out past %d records or %d MiB)", n, labtrace.MaxRecords, labtrace.MaxBytes>>20)
	}
	return "  trace: " + path + full + "\n  see it: go run raftlabs/cmd/traceview " + path + "   (-text: columns here)", nil
}
