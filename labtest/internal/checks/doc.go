// Package checks holds the checks of Raft's properties that the Cluster's
// methods make: plain functions from what the servers answered (their
// terms, who believes it leads, who applied an index, how long Start
// took) to a *testproc.Failure, as an error, or nil. They touch no
// cluster and fail no test, so each can be tried on made-up answers.
//
// # Usage
//
//	if err := checks.ElectionSafety(term, first, now); err != nil {
//		c.Fail(err) // labtest's Cluster ends the test
//	}
//
// # Guarantees
//
//   - A failure names the property (Figure 3's names where there is one),
//     then the values: servers as s0, s1, ..., times on the test's clock,
//     each server's term ("terms: s0 3, s1 3, s2 4").
//   - A failure about leaders or terms is marked so (AboutLeaders), and
//     labtest adds the leadership history under it.
//
// # Why this is a package of its own
//
// As x/tools' analyzers report through plain functions that a test can
// call on a broken input, the checks take answers as data and return what
// they found; the Cluster's methods (leaders.go, agree.go) and package
// agreement ask the servers, call these, and end the test. Leaders, the
// first leader seen in each term, is the one record kept here, for
// election safety. The checks never import labtest.
package checks
