// Package raftapi is the contract between a student's Raft and the course's
// tests: the messages a Raft sends on its apply channel, the Persister that
// stands in for its disk, and the methods the tests call.
//
// Both the lab folders and the test harness import this package and nothing
// else of each other, so a Raft written for MIT 6.5840 drops in with only its
// import paths changed (import this package under the name "tester" if your
// code says tester.Persister). docs/from-mit.md lists what else differs from
// MIT's tester.
//
// # Usage
//
// A lab's raft.go implements Make with this signature:
//
//	func Make(peers []*labrpc.ClientEnd, me int,
//		persister *raftapi.Persister, applyCh chan raftapi.ApplyMsg) raftapi.Raft
//
// Make may return *Raft instead of raftapi.Raft; the tests accept either.
//
// # Every year's API
//
// Code written for MIT 6.824 in 2021 or 2022 calls the Persister's
// SaveRaftState and SaveStateAndSnapshot, which are here too. A 2021 Raft
// that has CondInstallSnapshot(lastIncludedTerm, lastIncludedIndex int,
// snapshot []byte) bool, and waits for its service to call it after it sends
// a snapshot on applyCh, gets that call: the tests' service calls it for
// each such snapshot, as MIT's 2021 service did, and takes the snapshot only
// if it returns true. A Raft without the method is never asked.
package raftapi
