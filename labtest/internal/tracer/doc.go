// Package tracer records what one test's servers did, for its trace file
// (package labtrace writes and reads the format; cmd/traceview draws it):
// the RPCs between servers and their fates, and each server's role and
// term as the RPCs and GetState show them, beside whatever else the
// harness adds (servers started and crashed, the network's shapes,
// commands, applied entries, the failure).
//
// # Usage
//
//	tr := tracer.New(start, "TestFigure8Lab2", seed, "virtual")
//	net.Observe(func(ev labrpc.Event) { tr.RPC(&history.Event{Event: ev}) })
//	tr.State(2, 5, true) // GetState answered: s2 leads term 5
//	tr.Fail(failure)
//	lines, err := tr.Write(path, &res)
//
// # Guarantees
//
//   - Roles are inferred only from what the servers showed: a RequestVote
//     sent makes a candidate, an AppendEntries sent a leader, a reply with
//     a newer term a follower, and a crash forgets what was known. The
//     harness's own probes are left out.
//   - A trace is bounded (labtrace.MaxRecords, labtrace.MaxBytes); past
//     the bound records are counted, not kept, and the lines Write returns
//     say how many were left out.
//   - It is safe for concurrent use.
//
// # Why this is a package of its own
//
// The tracer takes the network's events (history.Event, decoded once for
// every observer) and the harness's calls as data; it needs neither the
// Cluster nor the run. Its methods are the records, one at each point
// worth seeing (Boot, Start, Crash, Network, State, Command, Apply, RPC),
// and a nil Tracer records nothing, so the cluster calls them without
// asking whether the test has a trace; package runner begins the trace
// (Run.StartTrace) and decides when it is written and where.
package tracer
