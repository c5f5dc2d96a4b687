// Package selflock defines an Analyzer that reports a lock taken again by
// the goroutine that already holds it: directly, or by calling a method or
// function of the package that takes it.
//
// # Analyzer selflock
//
// selflock: report a mutex locked again while it is held (sync.Mutex is not reentrant)
//
// The bug: Go's sync.Mutex is not reentrant. A goroutine that holds rf.mu
// and calls rf.mu.Lock() again — usually by calling a method that locks
// for itself, such as GetState from inside the ticker's locked section —
// waits for itself for ever; soon every goroutine that needs rf.mu waits
// too, and the server is dead without a panic or a message.
//
// The fix: decide, for each method, whether its caller holds the lock, and
// say so in its doc ("Call it with rf.mu held."). Split a method that is
// needed both ways into a locking wrapper and an inner version that
// expects the lock held:
//
//	func (rf *Raft) GetState() (int, bool) {
//		rf.mu.Lock()
//		defer rf.mu.Unlock()
//		return rf.currentTerm, rf.state == leader
//	}
//
//	// isLeader reports whether rf leads. Call it with rf.mu held.
//	func (rf *Raft) isLeader() bool { return rf.state == leader }
//
// The analyzer is reported only where it is provable within the package: a
// method called on the receiver whose lock is held (rf.GetState() with
// rf.mu held) that locks that same field of its receiver, on some path,
// before any Unlock of it. A method that unlocks first (one written to be
// called with the lock held) is not reported, nor a Lock in a goroutine the
// method starts, nor one that depends on the method's arguments
// (persist(locked bool) that locks only if !locked).
package selflock
