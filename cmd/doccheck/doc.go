// Command doccheck checks that every command the course's documents print
// runs as printed: that the program exists, that each flag is one the
// program defines and has a value if it takes one, that go test's -run
// matches a test, that a folder to cd into or a path to give exists. It
// runs nothing expensive: it builds the course's commands and a lab's test
// binary once and reads their flags from their -h.
//
// # Usage
//
//	go run ./cmd/doccheck
//
// It prints one line per finding, "file:line: command: what is wrong",
// and exits 1 if there is any. Its test (go test ./cmd/doccheck) does the
// same, and go run ./cmd/selftest runs it in the course and, through its
// students' copy step, in the copy, where a command that names what the
// copy leaves out (solutions/, cmd/variants, ...) is a finding: such a
// command goes in a <!-- not in the handout --> block.
//
// # What is a command
//
// In the Markdown files of the tree (git ls-files '*.md', or every .md
// file outside a git checkout): every line of a sh, bash or shell block;
// the lines that start with "$ " in any other fenced block (the rest is
// their output); and the inline code spans that start with go run, go
// test, go vet, go build, ./grade.sh or cd lab. A cd holds for the lines
// after it in its block. A go test with no package and no cd before it
// runs in a lab folder: the handout's own lab's (docs/lab1-election.md),
// or any lab's in the other documents.
//
// # What is checked
//
//   - The program is go, cd, one of the course's (./grade.sh, go run
//     ./cmd/X or raftlabs/cmd/X) or a shell command doccheck knows.
//   - A course command's flags are the ones its -h lists, each with a
//     value if it takes one, before its other arguments unless it reads
//     flags anywhere (./grade.sh does); a relative path it is given
//     exists, and so does a lab it names (lab1, lab2-replication).
//   - go test's flags are go build's and go test's own, the test binary's
//     test.X ones (without "test."), or the course's (-seed, -savetrace,
//     ...), read from a lab test binary's -h; a flag that takes a value
//     has one (go test -trace takes a file); after -args, only the test
//     binary's flags. Its packages exist; its -run, -bench and -fuzz
//     compile and match a test of the package, read from its _test.go
//     files (-run '^$' selects nothing on purpose).
//   - go build, go vet and go doc name packages that exist, with their
//     flags before the packages (go test alone reads flags after them).
//   - cd names a folder that exists.
//
// A placeholder (<trace>, DIR, N, NAME, FILE.zip, TRACE.jsonl, labN, ...)
// stands for any argument or flag value; shell.go lists the shapes.
package main
