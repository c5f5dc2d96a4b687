package labtest

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"raftlabs/labdebug"
	"raftlabs/labrpc"
	"raftlabs/labtest/internal/history"
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

// tracer is one test's trace and what it has inferred of each server.
type tracer struct {
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

// startTrace begins the test's trace, on the test's clock, unless
// RAFTLABS_TRACE=off, which records nothing (to measure what recording
// costs).
func (c *Cluster) startTrace() {
	labdebug.SetRecorder(nil)
	if spec, ok := debugSpec(); ok {
		labdebug.Enable(spec)
	}
	if strings.EqualFold(os.Getenv("RAFTLABS_TRACE"), "off") {
		return
	}
	tr := &tracer{
		rec:   labtrace.NewRecorder(c.start),
		calls: map[int]int{},
		known: map[int]seen{},
	}
	clock := "virtual"
	if c.run.settings.realtime {
		clock = "real"
	}
	tr.rec.Add(labtrace.Record{Kind: labtrace.Test, T: 0, Test: c.run.name, Seed: c.run.settings.seed, Clock: clock})
	c.run.trace.Store(tr)
	labdebug.SetRecorder(tr.rec)
}

// tracer returns the test's trace, or nil before the cluster is made.
func (c *Cluster) tracer() *tracer { return c.run.trace.Load() }

// add records rec, if the test has a trace.
func (c *Cluster) add(rec labtrace.Record) {
	if tr := c.tracer(); tr != nil {
		tr.rec.Add(rec)
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

// traceCrash records that server i crashed. What the trace knew of its
// role and term died with it.
func (c *Cluster) traceCrash(i int) {
	tr := c.tracer()
	if tr == nil {
		return
	}
	tr.mu.Lock()
	delete(tr.known, i)
	tr.mu.Unlock()
	tr.rec.Add(labtrace.Record{Kind: labtrace.Crash, Server: serverName(i)})
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
	tr := c.tracer()
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
func (tr *tracer) sawLocked(i int, role string, term int, source string) {
	if k := tr.known[i]; k.role == role && k.term == term {
		return
	}
	tr.known[i] = seen{role: role, term: term}
	tr.rec.Add(labtrace.Record{Kind: labtrace.State, Server: serverName(i), Role: role, Term: term, Source: source})
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
		tr.call(ev)
	}
}

// call records one event of an RPC between servers: a new record when it
// is sent, its fate when known. The harness's own calls are left out.
func (tr *tracer) call(ev *history.Event) {
	from, ok := history.EndSender(ev.End)
	to, ok2 := history.ServerNumber(ev.Server)
	if !ok || !ok2 {
		return
	}
	key := ev.Call
	_, method, _ := strings.Cut(ev.Method, ".")
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
		id := tr.rec.Add(labtrace.Record{Kind: labtrace.RPC, From: serverName(from), To: serverName(to),
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
		r := labtrace.Record{Kind: labtrace.RPC, T: max(done, 1), From: serverName(from), To: serverName(to),
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

// traceFailure ends the trace with the test's first failure, at the moment
// it was found. Called inside the test's bubble, where the clock is the
// test's own.
func (r *run) traceFailure(f *Failure) {
	if tr := r.trace.Load(); tr != nil {
		tr.rec.Seal(labtrace.Record{Kind: labtrace.Fail, Where: f.Where, Property: f.Property, Text: f.Evidence})
	}
}

// traceAbort ends the trace with the watcher's verdict, at the last time
// the test's clock was seen: the watcher runs outside the bubble.
func (r *run) traceAbort(verdict string) {
	if tr := r.trace.Load(); tr != nil {
		at := labtrace.Micros(time.Duration(r.elapsed.Load()))
		tr.rec.Seal(labtrace.Record{Kind: labtrace.Fail, T: max(at, 1), Text: verdict})
	}
}

// writeTrace writes the test's trace to a file if the test failed, or
// always with -savetrace, and names the file in the verdict (or, for a test
// that passed, on a line of its own).
func (r *run) writeTrace(res *Result) {
	tr := r.trace.Load()
	if tr == nil || res.Passed && !traceAlways() {
		return
	}
	if res.Passed {
		tr.rec.Seal(labtrace.Record{Kind: labtrace.End, T: max(labtrace.Micros(res.Virtual), 1)})
	}
	path := traceFile(r.name, r.settings.seed)
	if err := labtrace.WriteFile(path, tr.rec.Records()); err != nil {
		fmt.Printf("  trace: not written: %v\n", err)
		return
	}
	full := ""
	if n := tr.rec.Dropped(); n > 0 {
		full = fmt.Sprintf(" (full: %d records were left out past %d records or %d MiB)", n, labtrace.MaxRecords, labtrace.MaxBytes>>20)
	}
	lines := "  trace: " + path + full + "\n  see it: go run raftlabs/cmd/traceview " + path + "   (-text: columns here)"
	if res.Passed {
		fmt.Println(lines)
		return
	}
	res.Verdict += "\n" + lines
}

// traceFile is where the trace of test name with seed is written: in the
// folder RAFTLABS_TRACE_DIR, or raftlabs-traces in the system's folder
// for temporary files.
func traceFile(name string, seed int64) string {
	dir := os.Getenv("RAFTLABS_TRACE_DIR")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "raftlabs-traces")
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	return filepath.Join(dir, fmt.Sprintf("%s-seed%d.jsonl", name, seed))
}

// traceAlways reports whether every test writes its trace: -savetrace or
// RAFTLABS_TRACE=1.
func traceAlways() bool {
	if *traceFlag {
		return true
	}
	v, err := strconv.ParseBool(os.Getenv("RAFTLABS_TRACE"))
	return err == nil && v
}

// debugSpec returns the topics -debug (or RAFTLABS_DEBUG) turns on for
// package labdebug, if either is set.
func debugSpec() (string, bool) {
	if *debugFlag != "" {
		return *debugFlag, true
	}
	return os.LookupEnv("RAFTLABS_DEBUG")
}

// traceArgs are the flags a test's child process needs to trace and log
// as this process was asked to.
func traceArgs() []string {
	var args []string
	if *traceFlag {
		args = append(args, "-savetrace")
	}
	if *debugFlag != "" {
		args = append(args, "-debug", *debugFlag)
	}
	return args
}
