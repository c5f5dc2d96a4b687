// Command sweep runs a lab's tests, or some of them, across thousands of
// seeds, to find the rare fault schedule that breaks a Raft before a grader
// does. Each run is a process of its own in replay mode, so every failing
// seed it finds fails again, the same way, with its rerun command. grade.sh
// runs it: ./grade.sh sweep [flags] lab [test...].
//
// # Usage
//
//	./grade.sh sweep [flags] lab [test...]
//	go run ./cmd/sweep [flags] lab [test...]
//
// A lab is named lab1, 1, or by its folder. A test is named in full
// (TestFigure8Lab2) or by its scenario (Figure8: every test of that
// scenario in the lab's folder). With no test, each seed runs every test of
// the lab's folder. Flags and names may come in any order.
//
// # Flags
//
//	-seeds N       how many seeds (default 1000)
//	-from S        the first seed (default 1)
//	-failures N    stop after N failures (default 5; 0: run every seed)
//	-jobs N        test processes at a time (default: the number of cores)
//	-reference     sweep the reference solution instead of your code
//	-race          build with the race detector (runs do not replay exactly)
//	-timeout D     real-time bound for one run (default 2m)
//	-out DIR       where failures and their traces go (default: a new folder in the system's temporary folder)
//
// It prints a line every few seconds and one per failure, then a table:
// seeds and runs, failures, each kind of failure (the same failure but for
// its numbers) with how often it came and one seed that shows it, and
// seeds per second. For each failure, DIR holds TestX-seedN.txt (the seed,
// the rerun command, the trace file and the verdict) and the trace.
//
// # Exit status
//
// 0 when no run failed, 1 when one did, 2 for a usage error or a lab that
// does not build.
//
// # Examples
//
//	./grade.sh sweep lab2 Figure8 -seeds 5000
//	./grade.sh sweep lab1 -seeds 200 -failures 1
package main
