// Package spinloop defines an Analyzer that reports a loop in a goroutine
// of the Raft that never sleeps or blocks: a busy loop.
//
// # Analyzer spinloop
//
// spinloop: report a loop in a goroutine that never sleeps or blocks
//
// The bug: a ticker written as
//
//	for !rf.killed() {
//		rf.mu.Lock()
//		if time.Since(rf.lastHeard) > rf.timeout { rf.startElection() }
//		rf.mu.Unlock()
//	}
//
// checks its condition millions of times a second. In real time it burns a
// core and starves the other goroutines; on the tests' virtual clock,
// which moves only when every goroutine is blocked, it stops time
// altogether, so no timeout ever passes and the watchdog ends the test
// ("virtual time stopped ... a loop that does not sleep"). Checking
// killed() does not help: the loop still spins until Kill.
//
// The fix: sleep or wait in every iteration. A ticker sleeps a little
// (time.Sleep(10 * time.Millisecond), or until its deadline); a worker
// waits on a channel or a sync.Cond for something to do.
//
// Reported are loops with no post statement (for { ... } and for cond
// { ... }) in functions that run as goroutines (go f(), go func() { ... }(),
// time.AfterFunc), in the package functions they call, and in Make*, whose
// bodies contain nothing that can block: no time.Sleep, channel operation
// or select without default, Cond or WaitGroup Wait, labrpc Call, call of
// a function value or interface method, or call of a function of the
// package that may do any of these. Loops that visibly count towards
// their end are left alone: a body that assigns what the condition reads,
// itself or through the package's functions it calls (for rf.lastApplied <
// rf.commitIndex { rf.lastApplied++ ... }, for rf.hasWork() { rf.doWork()
// }), or a for { ... } that breaks out after stepping a local variable.
package spinloop
