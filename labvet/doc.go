// Package labvet bundles the course's static checks for the classic
// Raft-lab mistakes, each an analyzer on golang.org/x/tools/go/analysis in
// a package of its own:
//
//   - rpcfields: lower-case fields in types sent through labrpc or encoded
//     with labgob, nested and element types included;
//   - lockheld: a mutex held across Call, time.Sleep, a channel send or a
//     Wait on another lock;
//   - selflock: a lock taken again, directly or through a method of the
//     package, while it is held (sync.Mutex is not reentrant);
//   - spinloop: a loop in a goroutine of the Raft that never sleeps or
//     blocks;
//   - replyreuse: an RPC reply reused across calls, or a reply or labgob
//     decode target that is not zero.
//
// Each package's doc explains its bug and the fix; docs/labvet.md lists
// them for students, with examples.
//
// # Usage
//
//	go run ./cmd/labvet ./lab2-replication
//	go vet -vettool=$(which labvet) ./lab2-replication
//
// grading.Vet runs the same analyzers on a lab folder for the grader.
package labvet
