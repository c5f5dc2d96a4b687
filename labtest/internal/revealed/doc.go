// Package revealed records what each server of a test has shown the others
// of its persistent state, read from the replies it sent them: the terms it
// answered in and the votes it granted. It judges what only that record
// can show (a server that voted twice in a term, a term that went back
// across a crash) and explains some verdicts of others (two leaders of a
// term, state machine safety lost through a vote).
//
// A server may lose anything in a crash except what it has shown, since
// others have acted on it; Figure 2's persistent state is "updated on
// stable storage before responding to RPCs" for exactly that reason.
//
// # Usage
//
//	r := revealed.New()
//	net.Observe(func(ev labrpc.Event) { r.Observe(&history.Event{Event: ev}) })
//	r.Crashed(i, now, term)
//	...
//	if err := r.CheckRestoredTerm(i, term); err != nil { ... }
//	if err := r.Err(); err != nil { ... } // a double vote
//
// # Guarantees
//
//   - Only delivered replies count: a reply the network lost, or one from
//     a server that crashed before it was sent, showed nothing. The
//     harness's own probes are left out.
//   - An explanation (TwoLeaders, UpToDateHow) is a line that starts "how
//     two won:" or "how it happened:", or "" when the record does not
//     prove one.
//   - It is safe for concurrent use.
//
// # Why this is a package of its own
//
// The record takes data, the network's event stream, the crashes and the
// GetState answers, as the leadership history (package history) does, and
// what it needs of the servers' logs it is handed as a function
// (UpToDateHow), so it knows nothing of the Cluster and never imports it.
package revealed
