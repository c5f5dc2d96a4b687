// Package kv is the course's reference key/value service (lab 5): a clerk
// and a server built on the reference Raft (package solutions), written to
// be read after you have made lab 5 pass yourself.
//
// # How it is laid out
//
//   - common.go: the RPCs' argument and reply types, and the errors.
//   - client.go: the Clerk. It numbers its requests and retries each, to
//     the leader it last heard from and then to every server in turn, until
//     one answers (paper §8: "clients of Raft send all of their requests to
//     the leader"; a retried request carries the same number).
//   - server.go: the KVServer. Each RPC becomes a command in the Raft log;
//     the handler waits until the command comes back on applyCh at the
//     index Start gave it, then answers. The applier applies each committed
//     command once, whatever number of times the clerk sent it, and
//     snapshots the store through Raft's Snapshot when the saved Raft state
//     grows past maxraftstate.
//
// # Why Gets go through the log
//
// A leader that has been cut off from the others still believes it leads
// until it hears of a newer term; if it answered a Get from its own store,
// it could return a value that a newer leader has already overwritten
// (§8: "a leader must have the latest information on which entries are
// committed" and "must check whether it has been deposed before processing
// a read-only request"). Putting the Get in the log is the simplest way to
// make it wait for a majority: it returns only if the entry commits, and a
// deposed leader's entries never do.
package kv
