// Command clockbench measures what the virtual clock saves: it runs each
// test of a lab's suite against the reference solution twice, once on the
// virtual clock (the default) and once in real time (RAFTLABS_REALTIME=1),
// and prints how long each took in real seconds, side by side.
//
// Each lab's test binary is built once against the reference solution
// (nothing on disk changes), and every run of every test is its own
// process, one at a time, process start-up included. Every lab's tests run
// first on the virtual clock, one after another, as a student's go test
// and the grader run them, and then every lab's tests in real time. (They
// used to alternate, test by test: then each run on the virtual clock
// started just after seconds of a real-time run's sleeping, and on the
// course's virtual machine a run after an idle spell took about a tenth
// longer; and a lab's runs on the virtual clock after minutes of another
// lab's real-time runs took a seventh to a half longer than on their own. No
// student's run pays either.) Both modes of a test use the same seed. A
// lab's suite here is its own tests, not the earlier labs' tests its
// folder also runs.
//
// # Usage
//
// From anywhere in the repository:
//
//	go run ./cmd/clockbench            # every lab
//	go run ./cmd/clockbench lab1 lab2  # the named labs ("1" and "lab1-election" work too)
//
// Flags:
//
//	-seed N    the seed for every run (0: a random one, printed)
//	-race      build with the race detector
//	-virtual   run each test on the virtual clock only, not in real time
//
// The real-time runs take as long as the tests say: a few minutes per lab.
// With -virtual a lab takes seconds, which is what measuring the CPU time
// of its tests, before and after a change, wants.
//
// # Output
//
// One row per test: the seconds of real time the test's process took on
// the virtual clock, the CPU time (user and system) that process used,
// the seconds of real time it took in real time, and the ratio of the two
// real times; then a total per lab, and with more than one lab a last
// table puts the labs' totals side by side. The "clock" column is the
// test's own duration as the virtual clock measured it: about what the
// real-time run should take. On a busy machine the virtual clock's real
// time measures the machine more than the test; its CPU time depends on
// the load much less (a tenth or so, where the real time doubles): compare
// CPU times, summed over a few seeds, to see what a change saves. A run
// that fails is marked, and the command exits with status 1, since a
// failed run's time says nothing.
package main
