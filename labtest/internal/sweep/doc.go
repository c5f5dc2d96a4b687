// Package sweep runs tests of a lab's test binary across many seeds, each
// run a process of its own in replay mode, and groups the failures it finds
// by kind: the search for the rare fault schedule that breaks a Raft,
// before a grader finds it (cmd/sweep, ./grade.sh sweep).
//
// # Usage
//
//	rep := (&sweep.Sweep{Binary: bin, Dir: "lab2-replication",
//		Tests: []string{"TestFigure8Lab2"}, FirstSeed: 1, Seeds: 500, Jobs: 2}).Run(ctx)
//	for _, k := range rep.Kinds() {
//		fmt.Println(k.Count, k.Example.Rerun)
//	}
//
// # Guarantees
//
//   - Every run is a test process started by testproc.Run, in replay mode,
//     so every failing seed reported replays with its rerun command (as
//     far as replay goes: see testproc's replay.go).
//   - A failure's Kind is its test, scenario line and headline with every
//     number replaced by N, so runs that broke the same way group together.
//
// # Why this is a package of its own
//
// A sweep is a client of the process model, as the grader is: it takes a
// binary and test names and reads Results. It knows nothing of scenarios
// or of Raft, so it sits beside testproc, under labtest, which names its
// types Sweep, SweepReport, SweepFailure, SweepKind and SweepProgress.
package sweep
