// Package probe builds the harness's own RPCs (RequestVote, AppendEntries,
// InstallSnapshot) in a student's own Go types, found by reflection on the
// server's handlers and by Figure 2's field names in their common
// spellings, and reads the term and the outcome from the replies.
//
// # Usage
//
//	h, err := probe.FindHandler(reflect.TypeOf(rf), "RequestVote", probe.VoteGrantedField)
//	args, err := h.VoteArgs(probe.VoteRequest{Term: 7, Candidate: 2, LastLogIndex: 10, LastLogTerm: 6})
//	reply, ok := h.Send(end, rf, args)
//	got, err := h.Judge(i, rf, reply, 7) // got.Term, got.OK
//
// # Guarantees
//
//   - A field is filled only under a name it recognises (letter case
//     aside). A type it cannot use, a reply without a Term, or an integer
//     field under a name it does not know where a value must go is an
//     error that names the rule and the names it looked for, never a
//     guess that could make a correct Raft break a property of Raft.
//   - Terms and indexes go into the server's own integer kinds, signed or
//     unsigned.
//
// # Why this is a package of its own
//
// Shaping a message is reflection on the code under test's types and
// nothing else: it takes a reflect.Type and a request and gives back a
// value, so it needs nothing of the Cluster; it sends a message through an
// end it is given (Send) and judges the reply it gets (Judge). labtest's
// probes.go is its face: it makes the end on the test's network and fails
// the test with what went wrong; the scenarios name the requests
// voteRequest, appendRequest, logEntry and snapshotRequest.
// (x/tools draws the same line between analysistest and
// internal/checker.)
package probe
