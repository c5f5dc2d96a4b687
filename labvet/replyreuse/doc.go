// Package replyreuse defines an Analyzer that reports an RPC reply reused
// across calls, and a reply or labgob decode target that is not zero when
// gob decodes into it.
//
// # Analyzer replyreuse
//
// replyreuse: report an RPC reply reused across calls, or decoded into while not zero
//
// The bug: gob does not send fields whose value is zero, and decoding
// leaves the fields it did not receive as they were. A reply declared once
// outside a loop and passed to Call in every iteration keeps the fields of
// an earlier reply: a follower's reply with VoteGranted false (a zero
// value, so not sent) arrives as the true of the vote before it. A reply
// made with fields already set (RequestVoteReply{Term: rf.currentTerm})
// keeps them whenever the answer's own field is zero; the same goes for a
// variable set to -1 and then handed to labgob's Decode. labgob warns at
// run time ("decoding into a ... that is not zero").
//
// The fix: a fresh, zero reply for every Call, declared where it is used:
//
//	for i := range rf.peers {
//		go func() {
//			var reply RequestVoteReply // one per call
//			if rf.peers[i].Call("Raft.RequestVote", &args, &reply) { ... }
//		}()
//	}
//
// and decode into fresh zero variables, then copy them into the Raft.
//
// Reported are: a Call whose reply is a local variable declared outside a
// loop that encloses the Call (also when the loop starts the goroutine
// that calls), unless the loop's body assigns the variable before the
// Call; a Call or Decode whose target is a composite literal with fields
// set, or a local variable declared with one (or with a non-zero
// constant), or whose fields are assigned between its declaration and the
// Call.
package replyreuse
