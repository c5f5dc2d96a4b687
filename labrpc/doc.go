// Package labrpc is an in-process simulated network for testing RPC-based
// distributed systems such as Raft. It carries calls from client ends to
// servers within one process, and it can delay, drop and reorder them, cut
// peers off and crash servers, as a real network and real machines do.
//
// Call sends a request, naming a method such as "Raft.RequestVote", through a
// ClientEnd to the server the end is connected to; it runs the server's
// handler on a copy of the arguments and copies the handler's reply into the
// caller's reply. Call returns true only if the reply arrived. It returns
// false when
//
//   - the end is disabled or not connected, or no server has the name it is
//     connected to (an Unreachable event);
//   - the network is unreliable and dropped the request (RequestDropped), or
//     lost the reply after the handler ran (ReplyLost);
//   - the server was deleted or replaced, or the end disabled, after the
//     request was sent: a reply from a handler that ran is discarded
//     (ServerDead);
//   - the handler panicked (ServerDead, and a report in Problems);
//   - the call was a mistake: no such service or method, a reply that is
//     not a pointer or of a type gob cannot decode the handler's reply into
//     (no field of the same name, or one of another type; any other type is
//     fine, since gob fills it field by field by name, as in MIT's labrpc),
//     or arguments that cannot be encoded or decoded (Unreachable, and a
//     report in Problems).
//
// So a false return does not say whether the handler ran; like a real client,
// the caller must allow for both.
//
// Arguments and replies are copied by encoding them with labgob, so caller
// and handler never share memory. Each message is encoded alone, as a
// fresh encoder writes it, so that its size is what it would be on a wire
// (a labgob.Encoders builds each message type's definitions once). It is
// decoded by a labgob.Messages, which compiles each message type's decoder
// once (and copies arguments whose values define types, such as commands
// that are structs, through a gob stream kept for their type: the same
// copy). As with encoding/gob, only fields whose names start with an
// upper-case letter are sent, and each reply should be a fresh zero value:
// gob does not send zero fields, so old values in a reused reply would
// survive.
//
// # Usage
//
// The server side registers the object whose methods are the handlers, here
// a *Raft with a method RequestVote(args *RequestVoteArgs, reply
// *RequestVoteReply):
//
//	net := labrpc.NewNetwork(seed)
//	srv := labrpc.NewServer()
//	srv.AddService(labrpc.NewService(rf))
//	net.AddServer("s1", srv)
//
// The client side makes an end, connects and enables it, and calls:
//
//	end := net.NewEnd("s0-s1")
//	net.Connect("s0-s1", "s1")
//	net.Enable("s0-s1", true)
//
//	args := &RequestVoteArgs{Term: 3, CandidateID: 0}
//	reply := &RequestVoteReply{}
//	if end.Call("Raft.RequestVote", args, reply) {
//		// use reply
//	}
//
// # Faults
//
// Every delay is drawn uniformly from its range.
//
//   - Reliable (the default): every request spends 0–1 µs on the wire, so
//     that the many calls made at one instant of a testing/synctest
//     bubble's virtual clock do not all land at one instant too, where the
//     Go runtime would order the goroutines they wake at random.
//   - Unreachable: a call from a disabled or unconnected end, or to a
//     missing server, fails after 0–100 ms, or 0–7 s with SetLongDelays(true).
//   - Unreliable (SetReliable(false)): every request waits 0–27 ms; then 10%
//     of requests are dropped and fail after the same delay as an
//     unreachable call, and 10% of the remaining replies are lost after the
//     handler has run, failing at once.
//   - Long reordering (SetLongReordering(true)): 2/3 of replies are held back
//     a further 200–2200 ms, so later replies overtake them.
//   - Crashes (DeleteServer, or AddServer under the same name): a call
//     waiting on the old server's handler returns false at once, and the
//     handler's reply is discarded. Disabling an end likewise discards the
//     replies to its calls in flight, when their handlers finish.
//
// # Guarantees
//
// All random choices come from generators seeded by NewNetwork's seed, one
// for each end (seeded with the seed and the end's name), and each Call draws
// all of its choices when it starts. So the same seed gives the k-th call
// through an end the same fault, after the same delays, under the same
// settings, whatever the other ends did meanwhile: two runs whose goroutines
// interleave a little differently still meet the same fault schedule.
// NewNetworkSource lets a test supply the generators, for instance from a
// fuzzer's input.
//
// The network runs no goroutine of its own. Each delivered request runs its
// handler in a goroutine of its own: by default a new one that ends when the
// handler returns, so that nothing else outlives a Call (though when a server
// is deleted, Call returns before its handler does). With SetHandlerReuse on,
// as the course's harness sets it, a handler goroutine that has served a call
// waits for its server's next one instead, until the server is deleted or
// replaced, the network is closed, or reuse is turned off. Delays use only
// time.Sleep and channels, so the network works inside a testing/synctest
// bubble, where delays take no real time; create the network inside the
// bubble.
//
// TotalCount and TotalBytes count every Call, and the encoded size of its
// arguments, whatever became of it; Count and Bytes count only the requests
// handed to the named server's handlers, and carry on across DeleteServer and
// AddServer under the same name. Replies are not counted.
//
// After Close, no Call returns. A Network is safe for concurrent use.
package labrpc
