// Package testrun is how a program outside a lab's test binary runs the lab's
// tests and reads what they did: one test as a process of its own (Run),
// the harness's report of it (Result) and what the run cost (Cost), the
// command that reruns it, the reference solution's recorded costs, and
// sweeps of a test across many seeds. The grader (package grading and
// cmd/grade) and the course's tools (cmd/sweep, cmd/variants, cmd/labgen)
// use it; a test author never does.
//
// # Usage
//
//	res, output := testrun.Run(ctx, testrun.Process{
//		Binary: bin, Dir: "lab1-election", Test: "TestReElectionLab1",
//		Args: []string{"-seed", "8812"}, Isolate: true,
//	})
//	if !res.Passed {
//		fmt.Println(res.Verdict)
//		fmt.Println(testrun.RerunCommand("lab1-election", "TestReElectionLab1", 8812, false, false))
//	}
//
// # Guarantees
//
//   - A Result is the harness's own account, sent by the test process over
//     a pipe its parent opened, with a per-run token: nothing the code
//     under test prints can pass a test (see package labtest's doc).
//   - RerunCommand is the one rerun line the course prints, here and in
//     the tests' own output.
//
// # Why this is a package of its own
//
// Package labtest is what a test author reads: Run, the Suite, the Cluster
// and the scenarios. Running a test from outside needs none of them: only
// the process model and the result pipe (labtest/internal/testproc), the
// recorded costs (internal/cost) and the sweeps (internal/sweep). This
// package gives those machines their names for the programs outside
// labtest's tree, which cannot import its internal packages, and imports
// neither labtest nor anything built on it (labtest's layers_test.go
// checks it).
package testrun
