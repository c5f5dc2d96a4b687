// Package watchdog ends a test whose virtual clock has stopped, or that has
// used too much real time, and says why: every goroutine blocked with
// nothing changing, a goroutine that spins, a retry storm, Make that never
// returns, applyCh sent on under the server's lock.
//
// # Usage
//
// labtest's run implements Test; once the test's body runs in its bubble,
// the goroutine that started it watches until it ends:
//
//	go r.execute(t, body, done)
//	watchdog.Watch(r, watchdog.Limits{Stall: 10 * time.Second, Wallclock: 2 * time.Minute, Started: start},
//		done, ended, finished)
//
// # Guarantees
//
//   - It is certain early: within about a second when every goroutine is
//     blocked and nothing changes, about two when one goroutine spins
//     (only if the process burned CPU time meanwhile, so a loaded machine
//     is not a spin), and otherwise after Limits.Stall of real time once
//     the process has also burned Limits.Stall of CPU time or nothing of
//     the test can run (so a test that only waits for a core on a loaded
//     machine is not failed); a test ends within Limits.Wallclock
//     whatever it does.
//   - A stall is charged to Make only on the same evidence, and only when
//     the goroutine that spins is the one running Make (Test.InMake): a
//     restarted server's Make that waits for a core on a loaded machine is
//     not a Make that never returns, nor is another goroutine's spin.
//   - It runs outside the test's bubble and does nothing to the bubble: it
//     reads atomics and goroutine dumps through Test, and gives up with
//     Test.Abort.
//   - Goroutines busy in the course's own code (stacks' InHarness) are
//     slow, never spinning.
//
// # Why this is a package of its own
//
// Judging a stall needs the heartbeat, the RPC count and the goroutine
// dumps, not the Cluster: the watchdog takes them through Test, a small
// interface declared here where it is used, and the dumps' reading from
// package stacks, so it never imports labtest back. Package runner's Run
// is the run's side: the bubble, the heartbeat inside it (Heartbeat), and
// the methods of Test.
package watchdog
