// Package labdebug is a print helper for debugging a Raft: one call per
// line, naming the server and a topic, printed with the time on the test's
// clock, aligned, and recorded in the test's trace so that the trace
// viewer shows each line on its server's lane.
//
// It prints nothing unless asked to, so calls can stay in code that is
// graded. Turn it on for all topics or for some, with a flag of the lab's
// tests or an environment variable:
//
//	go test -run '^TestReElectionLab1$' -debug all
//	go test -run '^TestReElectionLab1$' -debug vote,leader
//	RAFTLABS_DEBUG=vote,leader go test -run '^TestReElectionLab1$'
//
// # Usage
//
//	labdebug.Printf(rf.me, labdebug.Vote, "granted vote to s%d in term %d", args.CandidateID, args.Term)
//
// prints, when the vote topic is on,
//
//	1.203114s s2 VOTE    granted vote to s0 in term 1
//
// The time is the test's own (virtual unless the test runs with
// -realtime), the same clock as the failures and the trace, so a line can
// be matched with what the test says happened at that moment.
//
// Topics are plain strings: the constants below are the usual ones, and
// labdebug.Topic("MINE") is another. -debug all turns on every topic,
// yours included. With -debug quiet:TOPICS (or RAFTLABS_DEBUG=quiet:TOPICS)
// the lines go only into the trace, not to the terminal.
package labdebug
