// Package stacks reads the goroutine dumps that runtime.Stack writes, so
// that the harness can say which goroutines of a test are running, which
// are blocked and on what, and which belong to a testing/synctest bubble;
// and it judges them: whose code a goroutine runs (the course's or the
// code under test's), what it waits for, and why a test's virtual clock
// stopped, in the words the watchdog's and the leak check's verdicts use.
//
// # Usage
//
//	for _, g := range stacks.All() {
//		fmt.Println(g.ID, g.Status, g.Durable, g.Bubble, g.InHarness())
//	}
//	fmt.Print(stacks.DescribeStuck(gs, names, storms))
//
// The format it reads is the runtime's ("goroutine 10 [sync.Mutex.Lock,
// synctest bubble 1]:" then the frames); a field the runtime does not print
// is left at its zero value.
//
// # Guarantees
//
//   - The course's own code is told from the code under test by the
//     packages of the frames: the standard library, labrpc, labgob,
//     labtrace, labtest and labtest/internal/... are the course's;
//     labtest/testdata, which stands for student code, is not. A student
//     cannot name a function in those packages. course.go is the one list
//     of them, which a verdict's scenario line (ScenarioLine) reads too.
//   - DescribeStuck and DescribeBlocked take what only the cluster knows
//     (which Raft pointer is which server, the retry storms the RPCs show)
//     as data, so they may run outside the test's bubble, while the test's
//     clock is stopped, and lock nothing.
//   - However many goroutines a test has, a description shows at most a
//     dozen distinct stacks: goroutines stopped at the same lines are told
//     once, with their number.
//
// # Why this is a package of its own
//
// Reading a dump needs nothing of the harness but the dump, as synctest's
// model of "durably blocked" needs nothing but the runtime's states. The
// watchdog, the leak check and the stall verdicts in labtest are its
// users; it never imports them back.
package stacks
