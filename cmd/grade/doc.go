// Command grade grades the labs: it builds each lab's test binary once, runs
// every test of the lab as its own process with a time bound, and prints a
// table of points, results, times and RPC counts, then each lab's total.
// grade.sh at the course's root runs it.
//
// # Usage
//
//	./grade.sh [flags] [lab...]
//	go run ./cmd/grade [flags] [lab...]
//
// A lab is named lab1, 1, or by its folder, lab1-election. With no lab,
// every lab whose folder exists is graded (with --submission: every lab
// folder the submission has). Flags and labs may come in any order.
//
// # Scoring
//
// Each lab is out of the sum of its own tests' points; the points live in
// one place, labtest.Suite. A test scores its points only if every run of
// it passes. A lab's folder also runs every earlier lab's tests: one that
// fails there is a regression and costs its points in this lab too, but
// never takes a lab below 0.
//
// # Flags
//
//	--reference        grade the reference solution instead of your code (it must score full marks)
//	--runs N           run each test N times; it scores only if all N pass (default: runs in grade.conf)
//	--jobs N           run N test processes at a time (default: jobs in grade.conf)
//	--race             build with the race detector
//	--realtime         run the tests in real time instead of virtual time
//	--timeout D        real-time bound for one run of one test (default 3m)
//	--json FILE        also write a JSON report to FILE
//	--gradescope FILE  also write Gradescope's results.json to FILE
//	--submission DIR   grade a student's tree: a fresh copy of the course with only
//	                   the non-test .go files of DIR's lab folders copied over it
//	-v                 print the verdict and whole output of every failing run
//	--run REGEXP       grade only the tests whose names match; the totals count only those
//	--class DIR        grade every submission folder in DIR, --jobs at a time, each as --submission does
//	--out DIR          with --class: where grades.csv, grades.json, logs/ and traces/ go (default class-grades);
//	                   the same command again resumes a stopped run
//	--shared-cache     with --class: build in go's own build cache, not one of the class's own
//	                   (OUT/.gocache, removed at the end)
//	--limits SPEC      each test process's limits, as memory=2GiB,cpu=2m,filesize=64MiB (any of
//	                   them), or off for none, for tests or builds (docs/instructors.md)
//	--traces DIR       keep the traces of failing tests in DIR (default: raftlabs-traces in the
//	                   temporary folder; with --submission, the grading's own, removed at the end)
//
// # grade.conf
//
// grade.conf at the course's root sets the class's defaults: runs (how
// many times each test runs) and jobs (0: one per CPU). A flag wins over
// it. A test that passed some runs and failed others is marked flaky in
// the table, the JSON report and Gradescope's output, with the rerun
// command of each failed run. Off a terminal (a pipe, a CI log), progress
// is one plain line per step and per finished test, on standard error.
//
// Under each failed test the table gives the start of its verdict and the
// command that reruns it with the same seed.
//
// # Exit status
//
// 0 when every graded lab has full marks; 1 otherwise (a failed test, a lab
// that does not compile); 2 for a usage error; 130 when interrupted (SIGINT
// or SIGTERM), after it has stopped its builds and test processes and
// removed its temporary copies, without writing a report. grade.sh keeps the status;
// go run reports every non-zero status as 1.
//
// # Examples
//
// Grade lab 1:
//
//	./grade.sh lab1
//
// Check that lab 2 passes reliably, two processes at a time, with the race
// detector:
//
//	./grade.sh --runs 20 --jobs 2 --race lab2
//
// Grade one student's tree for Gradescope:
//
//	./grade.sh --submission /autograder/submission --gradescope /autograder/results/results.json lab2
//
// Grade a whole class, a folder per student:
//
//	./grade.sh --class submissions/ --out grades/
//
// Check the course itself:
//
//	./grade.sh --reference
package main
