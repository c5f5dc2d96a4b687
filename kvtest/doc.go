// Package kvtest is the test harness of lab 5: it runs the student's
// key/value service (StartKVServer, MakeClerk) on a labtest Cluster, plays
// its clients while a scenario partitions, crashes and restarts servers,
// records every operation of every clerk with its call and return times on
// the test's clock, and checks at the end that the history is
// linearizable, with porcupine (github.com/anishathalye/porcupine), key by
// key.
//
// The cluster, the network, the virtual clock, the watchdog, the trace and
// the verdicts are labtest's: a Service is a *labtest.Cluster whose servers
// are the student's key/value servers (labtest.Hosted), with clerks.
//
// # Usage
//
// A scenario is a function of a *Service; its doc comment is the test's
// description. labtest.Suite lists it by name (Service: "kvtest.OneClient"),
// and lab 5's folder binds it to the student's constructors:
//
//	// OneClient checks that one clerk's operations take effect, in order.
//	func OneClient(s *Service) {
//		s.Boot(5, NoSnapshots)
//		ck := s.NewClerk()
//		ck.Put("a", "x")
//		s.CheckGet(ck, "a", "x")
//	}
//
//	func TestOneClientLab5(t *testing.T) { kvtest.Run(t, kvtest.OneClient, StartKVServer, MakeClerk) }
//
// # Guarantees
//
//   - Every operation a clerk returned from is in the history checked; one
//     that has not returned when the test ends may have taken effect or not,
//     and is checked as such (its return time is the end of the test).
//   - The linearizability check runs after the test, on the real clock, so
//     it neither stops nor runs the test's clock. It gives up after
//     CheckTimeout and then fails the test, saying so: a history that could
//     not be checked never passes.
//   - Where nothing can erase a value once written (CheckWritesSaved), a
//     write that returns must have its value in a majority's saved state:
//     a service that answers from memory shared between its servers, not
//     through Raft, fails there.
//   - A history that is not linearizable fails with the key, the operations
//     no order can fit, their clerks and times, and porcupine's picture of
//     the history written beside the trace.
package kvtest
