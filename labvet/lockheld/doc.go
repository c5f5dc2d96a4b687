// Package lockheld defines an Analyzer that reports a mutex held across an
// operation that can wait for a long time: an RPC (labrpc's Call), a
// time.Sleep, a channel send, or a sync.Cond's Wait on another lock.
//
// # Analyzer lockheld
//
// lockheld: report rf.mu held across Call, time.Sleep, a channel send or a Wait on another lock
//
// The bug: while one goroutine holds rf.mu and waits — for a reply that
// may never come, for a sleep to end, for a receiver — every other
// goroutine that needs rf.mu waits too: the RPC handlers, GetState, the
// ticker. Two servers that each hold their own lock while calling the
// other deadlock outright. On the tests' virtual clock it is worse: a
// goroutine waiting for a mutex does not let time advance, so the test's
// clock stops and the watchdog ends the test ("virtual time stopped").
//
// The fix: copy what the operation needs while holding the lock, unlock,
// then call, sleep or send; lock again to use the result, and check that
// the state (the term, the role) is still what it was before acting on it.
//
//	rf.mu.Lock()
//	args := RequestVoteArgs{Term: rf.currentTerm, CandidateID: rf.me}
//	rf.mu.Unlock()
//	var reply RequestVoteReply
//	if rf.peers[i].Call("Raft.RequestVote", &args, &reply) { ... }
//
// The analyzer follows Lock and Unlock along each function's control flow
// (a lock counts as held only if it is held on every path; a deferred
// Unlock keeps it held to the end of the function) and into the
// package's own functions: calling a helper that makes the RPC, with the
// lock held, is reported at the call, unless whether the helper makes it
// depends on one of its arguments (send(async bool)), since the caller may
// pass the one that avoids it. Code in a goroutine started under the
// lock (go func() { ... }()) runs without it and is not reported. A Wait on
// a sync.Cond made with the held lock itself (sync.NewCond(&rf.mu)) is the
// correct use and is not reported; a select with a default case never
// blocks and is not reported.
package lockheld
