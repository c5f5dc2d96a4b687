// Package receipts records what reached each server of a test: the commands
// the AppendEntries sent to it carried, at their indexes, the commands its
// own Start put in its log, and the snapshots that reached it. The apply
// checker (package service) asks it, for every command and snapshot a
// server applies, whether it was received, and gives the verdict it
// writes when it was not.
//
// Every command a server applies must have reached it at the index it
// applies it at: in the entries of an AppendEntries sent to it (an entry's
// index is PrevLogIndex+1 for the first, and so on), or by a Start on it
// that returned that index. All of a test's servers run in one process, so
// a Raft could hand a follower its leader's log through a package-level
// variable and never send an entry; the apply checker alone would see
// every server agree. The same holds for the snapshots a server hands its
// service on applyCh: each must have reached it in the Data (or Snapshot,
// SnapshotData) of an InstallSnapshot sent to it, or from its own
// service's call to Snapshot, or from its Persister when it booted.
//
// # Usage
//
//	r := receipts.New(n)
//	net.Observe(func(ev labrpc.Event) { r.Observe(&history.Event{Event: ev}) })
//	r.Starting(i, cmd); index, term, isLeader := rf.Start(cmd); r.Started(i, cmd, index, isLeader)
//	if err := r.CheckReceived(i, index, cmd); err != nil { ... }
//
// # Guarantees
//
//   - Messages are read by name (history.Event's Entries), in every spelling the
//     harness's own RPCs accept (package probe), by any sender, the
//     harness's own probes included.
//   - A message counts from the moment it is sent, which is before its
//     handler can run, and stops counting if the network reports it lost
//     before its handler ran (dropped, or its receiver unreachable): the
//     network reports a delivery only after the handler, and a follower may
//     apply an entry before that. A Start counts, for any index, while it
//     runs, and then for the index it returned if it said the server
//     leads. Commands are compared by value (history.CommandKey), snapshots
//     by their bytes' hash.
//   - It is safe for concurrent use.
//
// # Why this is a package of its own
//
// The receipts are a machine that takes data, the network's event stream
// and the Starts, and answers questions; they know nothing of the Cluster,
// as etcd raft's rafttest network knows nothing of the nodes. The apply
// checker takes them through a small interface it declares, and labtest's
// Cluster feeds them.
package receipts
