// Command carryover starts a lab from your code for the lab before it: it
// copies your Raft (every non-test .go file) from the previous lab's folder
// into the lab's folder, after saving what was there.
//
// Usage, from the repository's root:
//
//	go run ./cmd/carryover lab2
//
// copies lab1-election/*.go (but not the tests) into lab2-replication/.
// Every file it would overwrite or remove is first saved under
// lab2-replication/.backup-<time>/, a folder the go command ignores, and the
// command prints what it saved and where. Nothing is ever deleted. Run it
// again later to bring newer lab 1 fixes across: each run makes a new backup.
//
// In lab 5 (go run ./cmd/carryover lab5) your lab 4 Raft comes across and
// the service's files, server.go, client.go and common.go, are left as
// they are: they are the new lab's own work.
//
// The exit status is 0 on success, 1 if something could not be copied, 2 for
// a wrong argument.
package main
