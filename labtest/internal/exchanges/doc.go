// Package exchanges records what each leader of a test sent each follower
// and what came back: the latest AppendEntries and InstallSnapshots each
// server sent another that were answered, the entries each server
// accepted, the Starts that put entries in a leader's log, and the
// snapshots each service asked its server to take. From them it explains
// verdicts that only say what went wrong.
//
// When a command is not applied in time, the latest AppendEntries and
// InstallSnapshots its leader sent each server that lacks it often say
// why, in the terms of a rule of Figure 2 or §7: a follower that accepts
// every AppendEntries and is never sent the entry; one that refuses the
// same AppendEntries again and again, with no retry further back, or no
// snapshot when the leader's service has compacted its log; one sent the
// same snapshot again and again and never the entries after it (Stalled,
// ResentTo). When two servers apply different commands at one index, a
// server that kept its own entry against a conflicting one it accepted,
// or accepted a prevLogTerm its entry did not have, says how
// (KeptConflicting, MatchedOther).
//
// # Usage
//
//	x := exchanges.New()
//	net.Observe(func(ev labrpc.Event) { x.Observe(&history.Event{Event: ev}) })
//	x.NoteStart(i, index, term, cmd, now)
//	if how := x.Stalled(leader, f, index, cmd); how != "" { ... }
//
// # Guarantees
//
//   - It reads the messages by name (history.Event's Entries and the spellings of
//     package probe); a message it cannot read is left out.
//   - An explanation is a line that starts "how it happened:", or "" when
//     the record does not prove one; it never judges on its own.
//   - It keeps each pair's latest exchanges and is safe for concurrent use.
//
// # Why this is a package of its own
//
// The record takes data, the network's event stream and the Starts and
// Snapshots the harness makes, and answers; labtest's Cluster feeds it and
// puts its lines under the verdicts, so it never imports labtest.
package exchanges
