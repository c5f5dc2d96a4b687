// Package history keeps a test's leadership history: what the servers
// showed of their roles and terms, on the test's clock, read from the RPCs
// they send each other and from the harness's GetState calls. It judges
// what only the history can show (two leaders in one term, a leader
// without a majority's votes) and writes the history, with the hints drawn
// from it, for the verdicts about leaders and terms.
//
// # Usage
//
// The cluster hands it every network event and every GetState answer:
//
//	h := history.New(n, labtest.ElectionTimeout)
//	var calls history.Calls
//	net.Observe(func(ev labrpc.Event) { e := calls.Event(ev); h.Observe(&e) })
//	...
//	h.Polled(i, term, isLeader, now)
//	if p := h.SafetyProblem(); p != "" { ... }
//	if f := h.UnearnedProblem(); f != nil { ... }
//	fmt.Print(h.Text())
//
// An Event decodes a message's Term and outcome fields, and an
// AppendEntries' entries and previous log term, by name, at most once
// however many observers read it (the history, what the servers revealed,
// the trace); Calls shares that between the Sent event of a call and its
// outcome. labgob.Messages is the gob decoding they share, compiled once
// per message type.
//
// # Guarantees
//
//   - It reads the student's own messages by field name, in the spellings
//     the harness accepts, signed or unsigned terms alike; a message it
//     cannot read is left out, never guessed at.
//   - It is safe for concurrent use and locks only its own mutex, so the
//     watchdog, outside the test's bubble, may read it while the test's
//     clock is stopped.
//   - A leader is judged to have earned its term only by votes that
//     reached it over the network (majority.go says exactly which).
//
// # Why this is a package of its own
//
// The history is a machine that takes data (an RPC event stream and
// GetState answers) and returns findings (a *testproc.Failure, a text), as
// etcd raft's rafttest network takes messages without knowing the nodes.
// It knows nothing of the Cluster or of scenarios; labtest's Cluster feeds
// it and dresses its findings with where the scenario was.
package history
