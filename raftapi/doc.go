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
package raftapi
