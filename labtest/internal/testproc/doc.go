// Package testproc runs one test of a lab's test binary as a process of its
// own and carries the harness's account of it, a Result, back over a pipe
// that only the harness can write to. It is the process model under
// labtest.Run and the grader: what a test is to the machine, not to Raft.
//
// # Usage
//
// The parent starts a test and reads its Result:
//
//	res, output := testproc.Run(ctx, testproc.Process{
//		Binary: bin, Dir: "lab1-election", Test: "TestReElectionLab1",
//		Timeout: 2 * time.Minute, Isolate: true,
//	})
//	fmt.Println(res.Passed, res.Verdict)
//
// The child, once its test has ended, sends its one report:
//
//	if testproc.Reporter != nil {
//		err := testproc.Reporter.Send(&res)
//	}
//
// # Guarantees
//
//   - A Result comes only from the report: one JSON line that carries a
//     fresh random token the parent put in the child's environment. The
//     package takes the pipe and the token, and removes the token from the
//     environment, when it is initialized, which is before any code of the
//     lab folder runs; a child that prints a summary, exits 0 or writes a
//     forged report without the token fails.
//   - A child that dies without a report gets a verdict from its output:
//     the panic or fatal error with the stack of the goroutine that died
//     (output.go), the race detector's findings, or the grader's limit it
//     hit (limits.go). A race found in a test that passed fails it.
//   - The grader's Limits are set on the child's own process, soft and hard
//     alike, in this package's init, before the code under test runs.
//   - With Isolate, nothing the child starts outlives it; Run keeps at
//     most a few megabytes of the child's output, its start and its end.
//   - In replay mode (replay.go), the default, a child runs one goroutine
//     at a time with math/rand seeded from the test's seed.
//
// # Why this is a package of its own
//
// Like x/tools' internal/checker under analysistest, this is machinery a
// test author never reads: labtest's Run and the grader are its faces. It
// knows nothing of Raft, of clusters or of scenarios: it takes a binary
// and a test's name and gives back a Result, so it imports nothing of the
// harness, and the harness's Failure, the first failure of a test, lives
// here as part of the Result it reports. labtest's Result, Failure, Cost,
// Process and Limits are these types under their old names.
package testproc
