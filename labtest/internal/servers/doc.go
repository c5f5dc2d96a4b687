// Package servers keeps the student's servers of one test on its
// simulated network: each server's running instance and its Persister,
// the ends each instance calls the others through, and the network's
// shape, who can talk to whom, with each shape it has had. It makes an
// instance of the student's Raft (Make, bounded in time, its panic
// caught), calls into one without letting its panic escape, and crashes
// one as a machine that loses power does.
//
// # Usage
//
//	s := servers.New(net, n, start, tr)
//	gen, ends, names := s.NewInstance(i)
//	m, returned := servers.TryMake(newRaft, i, ends, s.Persister(i), applyCh, r)
//	s.Serve(i, m.Raft, names, labrpc.NewService(m.Raft))
//	s.Partition([]int{0, 1}, []int{2})
//	rf, disk := s.Crash(i)
//
// # Guarantees
//
// A crash has the three properties of a real one:
//
//   - nothing the dead server does reaches anyone: its ends are disabled
//     and the server is deleted from the network before anything else, so
//     no reply of a handler still running is delivered, and no reply to a
//     call it made reaches it; its ends stay off, whatever Connect or
//     Partition says, until it restarts;
//   - nothing it does reaches its disk: the Persister it restarts from is
//     a copy taken after it was cut off, so a Save by one of its
//     goroutines after that goes to a Persister no one reads again;
//   - its next incarnation starts from the saved bytes only, with fresh
//     ends (NewInstance).
//
// Describe and Pointers may be called from outside the test's bubble,
// while its clock is stopped: Pointers only tries the lock.
//
// # Why this is a package of its own
//
// Which instance runs, what it saved and who can reach it are the
// servers' facts, whatever a scenario checks of them; so labtest's
// Cluster, which checks, asks them here, and this package knows nothing
// of checks or of the Cluster.
package servers
