// Package service is the service the tests run above each server: the
// state machine that reads what the server sends on applyCh, and checks
// it. It holds what each server has applied and records the first
// violation of the rules for applying: in index order, each index once,
// from index 1, the same command at an index on every server (state
// machine safety, paper §5.4.3), nothing from a server after it was
// killed, and every command and snapshot one the server received
// (through a Receipts). In lab 4 it also snapshots, and checks the
// snapshots that come back on applyCh.
//
// Lab 4's service snapshots itself every SnapshotInterval applied entries,
// as a key/value server does to keep its Raft's log short. It calls
// Snapshot from the goroutine that reads applyCh, right after the entry,
// and waits for it to return, as a real service does; so a Raft that sends
// on applyCh while holding the lock that Snapshot takes deadlocks there,
// and the watchdog names the send. For a Raft of 2021 that has
// CondInstallSnapshot, it calls that on each snapshot that comes on
// applyCh, and takes the snapshot only if it returns true (Takes). The
// service's snapshot holds every command it has applied, from index 1, so
// a snapshot that comes back on applyCh (from a leader's InstallSnapshot)
// is checked entry by entry against what the servers applied, and a
// restarted server's service restores from its disk.
//
// # Usage
//
//	a := service.New(n, receipts, installs)
//	a.Boot(i, gen)
//	applied := a.Receive(i, gen, a.Takes(rf, i, gen, m, slow))
//	if applied && m.CommandIndex%service.SnapshotInterval == 0 {
//		data, err := a.MakeSnapshot(i, m.CommandIndex)
//		a.Snapshot(rf, i, gen, m.CommandIndex, data, slow)
//	}
//	if err := a.Problem(); err != nil { ... }
//
// # Guarantees
//
//   - The first violation is kept, and never replaced: Problem returns
//     it, and UnsafeFirst says whether it was of state machine safety,
//     with both servers' commands, for the explanations labtest adds.
//   - A snapshot the service never made is the Raft's fault; one it made
//     but cannot read is said to be the harness's own.
//   - It is safe for concurrent use: each server's applyCh is read by a
//     goroutine of its own.
//
// # Why this is a package of its own
//
// Checking what a server applies needs the messages, not the Cluster: the
// checker takes ApplyMsgs as data, and what reached each server and the
// InstallSnapshots it answered through two small interfaces declared here
// (Receipts, Installs), so it imports neither package receipts nor
// installs, nor labtest. The goroutine that reads each applyCh is here too
// (Read): what it needs of the cluster (the running instance, the disk it
// boots from, where to record what it saw) comes through Host, and
// labtest's service.go starts it. The watchdog recognises the reader by
// CallBackName, the name of the function itself, never a name written
// twice.
package service
