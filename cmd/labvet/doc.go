// Command labvet checks a Raft's source for the classic Raft-lab mistakes
// before any test runs: lower-case fields in RPC and persisted types, a
// mutex held across Call, time.Sleep, a channel send or a Wait on another
// lock, a lock taken again while held, a goroutine's loop that never
// sleeps or blocks, and RPC replies reused or decoded into while not zero.
// The checks are the analyzers of raftlabs/labvet; docs/labvet.md explains
// each, with the fix.
//
// # Usage
//
// From the course's root:
//
//	go run ./cmd/labvet ./lab2-replication
//
// or, built once, as a go vet tool:
//
//	go build -o bin/labvet ./cmd/labvet
//	go vet -vettool=$PWD/bin/labvet ./lab2-replication
//
// Each finding is printed as file:line:column: message. The exit status is
// 0 when there is none, 3 when there are findings, 1 on an error (code
// that does not compile). Test files are not checked; standalone, labvet
// does not even load them unless given -test. -lockheld, -spinloop and the
// other analyzers' names as flags run only those; -json prints the
// findings as JSON; -h lists every flag.
//
// ./grade.sh runs the same checks on each lab before its tests and prints
// the findings under the lab's total, as warnings that cost no points.
package main
