// Package installs records the InstallSnapshots each server of a test
// answered, read from the network, to explain two failures of lab 4 when
// they happen: a server that applies an entry past a snapshot it never
// handed its service (Figure 13, InstallSnapshot receiver rule 8), and one
// that applies, at an index it never received it at, a command it had
// received at another (receiver rule 7: the log it kept moved).
//
// # Usage
//
//	r := installs.New()
//	net.Observe(func(ev labrpc.Event) { r.Observe(&history.Event{Event: ev}) })
//	if how := r.Skipped(i, last, index, taken); how != "" { ... }
//
// # Guarantees
//
//   - It reads an InstallSnapshot by name, in the spellings the harness's
//     own InstallSnapshot accepts (package probe); a message of other
//     types is left out, never guessed at.
//   - An explanation is a line that starts "how it happened:", or "" when
//     the record does not show one; it never judges on its own.
//   - It keeps each server's latest 16 and is safe for concurrent use.
//
// # Why this is a package of its own
//
// The record takes data, the network's event stream, and answers; the
// apply checker (package service) asks it through a small interface of
// its own, and labtest's Cluster feeds it, so it imports neither.
package installs
