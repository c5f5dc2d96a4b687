package labtest

import (
	"fmt"
	"time"
)

// Lab 3, continued: one scenario per persistent field. The test cuts a
// follower off, plays a server of a later term by sending it RPCs of its
// own (probes.go), crashes and restarts it, and asks again: what the
// follower answered before the crash must still hold after it.

// PersistedTerm checks that a term learned from an RPC survives a crash:
// the test, as the leader of a later term, sends a cut-off follower an
// AppendEntries it must refuse (its log lacks the entry before the new
// ones), so that it learns only the term; crashed and restarted, it must
// be in that term or a later one. Figure 2, persistent state (currentTerm)
// and Rules for All Servers.
func PersistedTerm(c *Cluster) {
	c.Boot(3)
	leader := c.CheckOneLeader()
	f := c.Next(leader)
	c.Disconnect(f)
	term, _ := c.GetState(f)
	later := term + 10
	if _, ok := c.appendEntries(f, appendRequest{Term: later, Leader: leader, PrevLogIndex: 1 << 20, PrevLogTerm: later}); !ok {
		c.Fatalf("s%d gave no reply to an AppendEntries of term %d on a reliable network", f, later)
	}
	shown := termShown{Term: later, Asker: fmt.Sprintf("the test's (as s%d)", leader), Method: "AppendEntries", At: c.Now()}

	// Crashed and restarted, it still knows the term.
	c.restartCutOff(f, shown)

	c.Connect(f)
	c.Agree(c.randomCommand(), c.N())
}

// PersistedVote checks that a vote survives a crash: a cut-off follower
// grants its vote in a later term to a candidate the test plays; crashed
// and restarted, still in that term, it must refuse a second candidate of
// the same term. Figure 2, persistent state (votedFor); §5.2: "each server
// will vote for at most one candidate in a given term".
func PersistedVote(c *Cluster) {
	c.Boot(3)
	leader := c.CheckOneLeader()
	v := c.Next(leader)
	other := c.Next(v)
	c.Disconnect(v)
	term, _ := c.GetState(v)
	later := term + 10

	// v votes for the test's candidate, whose log is longer than any.
	first := voteRequest{Term: later, Candidate: leader, LastLogIndex: 1 << 20, LastLogTerm: later}
	if reply, ok := c.requestVote(v, first); !ok || !reply.OK {
		c.Fatalf("s%d refused its vote to s%d, a candidate of term %d whose log is longer than its own, in a term "+
			"it had not voted in (RequestVote receiver rule 2)", v, leader, later)
	}
	voted := vote{Candidate: leader, At: c.Now()}
	shown := termShown{Term: later, Asker: fmt.Sprintf("the test's (as s%d)", leader), Method: "RequestVote", At: c.Now()}

	// Crashed and restarted, it must not vote again in that term.
	crashedAt := c.restartCutOff(v, shown)
	second := voteRequest{Term: later, Candidate: other, LastLogIndex: 1 << 20, LastLogTerm: later}
	if reply, ok := c.requestVote(v, second); ok && reply.OK {
		err := checkOneVote(v, later, voted, vote{Candidate: other, At: c.Now()}, []time.Duration{crashedAt})
		c.Fatalf("%v", err)
	}

	c.Connect(v)
	c.Agree(c.randomCommand(), c.N())
}

// PersistedLog checks that entries a follower acknowledged survive a
// crash: the test, as the leader of a later term, gives a cut-off follower
// three entries and gets Success; crashed and restarted, the follower must
// accept an AppendEntries whose PrevLogIndex and PrevLogTerm name the last
// of them. A leader counts a Success toward a commit; entries lost after
// it can undo a committed command. The other two servers go on without it.
// Figure 2, persistent state (log[]).
func PersistedLog(c *Cluster) {
	c.Boot(3)
	leader := c.CheckOneLeader() // no command yet: the logs are empty
	f := c.Next(leader)
	c.Disconnect(f)
	term, _ := c.GetState(f)
	later := term + 10

	// The test gives f entries 1 to 3 of the later term.
	var entries []logEntry
	for index := 1; index <= 3; index++ {
		entries = append(entries, logEntry{Index: index, Term: later, Command: c.randomCommand()})
	}
	give := appendRequest{Term: later, Leader: leader, PrevLogIndex: 0, PrevLogTerm: 0, Entries: entries}
	if reply, ok := c.appendEntries(f, give); !ok || !reply.OK {
		c.Fatalf("s%d refused an AppendEntries of term %d carrying entries 1 to 3 after index 0, which every log "+
			"matches (AppendEntries receiver rules 2 to 4)", f, later)
	}
	shown := termShown{Term: later, Asker: fmt.Sprintf("the test's (as s%d)", leader), Method: "AppendEntries", At: c.Now()}

	// Crashed and restarted, it must still hold entry 3 of that term.
	c.restartCutOff(f, shown)
	check := appendRequest{Term: later, Leader: leader, PrevLogIndex: 3, PrevLogTerm: later}
	reply, ok := c.appendEntries(f, check)
	if err := checkEntriesKept(f, later, 3, reply, ok); err != nil {
		c.Fatalf("%v", err)
	}

	// f stays cut off: no leader of its term ever existed, so its entries
	// could overwrite what the others commit meanwhile. They go on.
	c.Agree(c.randomCommand(), c.N()-1)
}

// restartCutOff crashes server i and restarts it without connecting it,
// checks that it came back in the term it had shown the test, and returns
// when it crashed.
func (c *Cluster) restartCutOff(i int, shown termShown) time.Duration {
	c.t.Helper()
	c.Crash(i)
	crashedAt := c.revealed.LastCrash(i)
	c.restart(i, false)
	term, _ := c.GetState(i)
	if err := checkRestoredTerm(i, term, shown, crashedAt); err != nil {
		c.Fatalf("%v", err)
	}
	return crashedAt
}

// checkEntriesKept checks a restarted follower's answer to an
// AppendEntries whose PrevLogIndex last and PrevLogTerm term name the last
// entry it acknowledged before its crash.
func checkEntriesKept(i, term, last int, reply probeReply, ok bool) error {
	switch {
	case !ok:
		return fmt.Errorf("s%d, restarted, gave no reply to an AppendEntries of term %d on a reliable network", i, term)
	case reply.OK:
		return nil
	}
	return fmt.Errorf("s%d answered Success to an AppendEntries of term %d that gave it entries 1 to %d, then crashed; "+
		"restarted, it refused an AppendEntries whose PrevLogIndex %d and PrevLogTerm %d name the last of them: it "+
		"lost entries it had acknowledged, which a leader counts toward committing them. The log must be persisted "+
		"before the server answers Success (Figure 2, persistent state: \"updated on stable storage before "+
		"responding to RPCs\"), and Make must restore it with readPersist", i, term, last, last, term)
}
