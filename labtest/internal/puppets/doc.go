// Package puppets provides the servers a test scripts: a Puppet stands in
// for a crashed server, under its name, and answers another server's
// RequestVote and AppendEntries as the test says (grant a vote but hold the
// reply until released, refuse with a newer term); a Follower also plays a
// follower that holds the leader's log, and can hold each AppendEntries as
// a network holds a request back. Scenarios use them to deliver a reply
// from an older term exactly when it tests a rule, which no network fault
// can be relied on to do.
//
// # Usage
//
// labtest's Cluster crashes servers and puts a puppet's Service in each
// one's place on the test's network (labtest's puppets.go, through
// package servers' StandIn):
//
//	ps := c.puppets(to, term, others...)
//	holdNextVote(ps, term)
//	...
//	releaseVotes(ps)
//
// # Guarantees
//
//   - A puppet reads and answers by Figure 2's field names, in every
//     spelling the harness accepts, in the server's own signedness of
//     terms; a server's reply type receives the fields it has.
//   - A held reply is never held for ever: a server's goroutine is
//     released after five seconds of the test's clock at most.
//
// # Why this is a package of its own
//
// A puppet is an RPC handler and nothing more: it needs neither the
// Cluster nor the network, only the messages. The Cluster's methods that
// put puppets in place stay in labtest, beside the scenarios that use
// them, which name the types puppet and followerPuppet.
package puppets
