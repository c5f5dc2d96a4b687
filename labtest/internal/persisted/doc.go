// Package persisted judges what a server saved: whether its Persister's
// bytes hold a command it applied, the verdicts of the persistence checks
// (a command applied but not saved, a leader's snapshot installed but not
// saved, a term known without the Persister), and the record of how an
// entry came to be unsaved, which those verdicts add as their
// explanation.
//
// A server's state across a crash must come from its Persister alone. All
// of a test's servers run in one process, so a Raft could keep
// currentTerm, votedFor and its log in a package-level variable that
// outlives Kill, and save a few dummy bytes: every crash would then keep
// everything, and no test of persistence could fail. labtest's Cluster
// rules that out, without knowing how the server lays out what it saves:
// at each crash it looks in what the server had saved for the latest
// commands it applied (Holds, Problem), and before each restart it boots a
// stand-in with an empty Persister (package servers' FreshTerm) and checks
// that it knows nothing of its term (Forgotten). Taught says which tests
// these checks hold in: those of lab 3 and later.
//
// An entry is unsaved when its server vouched for it while its Persister
// did not hold it: a follower vouches for an entry when it answers success
// to the AppendEntries that carried it (the leader counts that answer
// toward a commit); a leader, when its Start returns the entry's index
// (it counts itself toward the commit). Figure 2: persistent state is
// "updated on stable storage before responding to RPCs".
//
// # Usage
//
//	u := persisted.New(start, n, persisterOf, receipts)
//	net.Observe(func(ev labrpc.Event) { u.Observe(&history.Event{Event: ev}) })
//	...
//	if !persisted.Holds(state, snapshot, cmd) {
//		fail(persisted.Unpersisted(i, "crashed", index, cmd, len(state), len(snapshot), now, u.How(i, index, cmd)))
//	}
//
// # Guarantees
//
//   - Holds is false only when the command is certainly not there: a
//     command's encoding found among the saved bytes may be a coincidence
//     (a small integer is one byte), but one not found is not there. So
//     only an absence is recorded, and only as a verdict's explanation.
//   - Unsaved is safe for concurrent use, and reads a server's Persister
//     only through the function it is given.
//
// # Why this is a package of its own
//
// Judging saved bytes needs the bytes and the commands, not the Cluster:
// the record takes the network's events and the Starts as data and the
// Persisters through a function, so it never imports labtest, whose
// persisted.go is the Cluster's side (when to look, and the stand-in
// server).
package persisted
