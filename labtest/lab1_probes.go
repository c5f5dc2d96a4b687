package labtest

import (
	"fmt"
	"strings"
	"time"
)

// Lab 1, continued: scenarios in which the test itself plays a server,
// sending its own RPCs or answering for crashed servers (puppets), to check
// the election timer's rules and votes that arrive late.

// ElectionTimer checks which messages reset a follower's election timer, on
// a server cut off from the others that only the test talks to. Figure 2,
// Rules for Servers, Followers: "If election timeout elapses without
// receiving AppendEntries RPC from current leader or granting vote to
// candidate: convert to candidate". So a vote it grants resets the timer,
// and a RequestVote it refuses or an AppendEntries from an old term does
// not: a server that defers to messages it refuses may never stand, and a
// cluster can wait for ever on a candidate that cannot win.
func ElectionTimer(c *Cluster) {
	c.Boot(3)
	leader := c.CheckOneLeader()
	leaderTerm, _ := c.GetState(leader)
	f := c.Next(leader)

	// Cut off, f stands for election on its own, voting for itself.
	cutAt := c.Now()
	c.Disconnect(f)
	c.waitTermAbove(f, leaderTerm)
	alone := c.Now() - cutAt // how soon its own timer ran out, for a verdict

	// A RequestVote it refuses (it voted for itself in its term) every
	// 50ms: its elections go on, one per timeout.
	c.checkElectionsGoOn(f, alone, "a RequestVote of its own term from another candidate, which it refused (it had voted for itself)",
		"a refused RequestVote must not reset the election timer",
		func(term int) (probeReply, bool) {
			return c.requestVote(f, voteRequest{Term: term, Candidate: leader})
		})

	// An AppendEntries from the term before its own every 50ms: the same.
	c.checkElectionsGoOn(f, alone, "an AppendEntries from an earlier term, which it refused",
		"only an AppendEntries from the leader of the current term resets the election timer; "+
			"a stale one is refused (AppendEntries rule 1) and changes nothing",
		func(term int) (probeReply, bool) {
			return c.appendEntries(f, appendRequest{Term: term - 1, Leader: leader})
		})

	// A vote it grants every 50ms, to one candidate of a newer term: it
	// must not stand against the candidate it votes for.
	term, _ := c.GetState(f)
	next := term + 1
	granted := false
	start := c.Now()
	for c.Now()-start < 3*time.Second {
		reply, ok := c.requestVote(f, voteRequest{Term: next, Candidate: leader, LastLogIndex: 1 << 20, LastLogTerm: next})
		if now, _ := c.GetState(f); ok && !reply.OK && !granted && now == next {
			// f's own timer fired at the instant of the first request: it
			// stood in term next and voted for itself. Ask in the term after.
			next = now + 1
			continue
		}
		granted = granted || ok && reply.OK
		if now, _ := c.GetState(f); now > next {
			c.historyFatalf("s%d granted its vote to s%d in term %d every 50ms, yet stood for election itself in term %d, "+
				"%s later: granting a vote resets the election timer (Figure 2, Followers), so that a server does not "+
				"run against the candidate it has just voted for", f, leader, next, now, seconds(c.Now()-start))
		}
		if ok && !reply.OK {
			c.historyFatalf("s%d refused its vote to s%d, a candidate of term %d whose log is longer than its own, though "+
				"no one else had asked for its vote in that term: a server grants one vote per term, to the first "+
				"candidate whose log is at least as up to date (RequestVote rule 2)", f, leader, next)
		}
		c.Sleep(50 * time.Millisecond)
	}

	// Back with the others, f's high term forces one more election.
	c.Connect(f)
	c.CheckOneLeader()
}

// waitTermAbove waits up to 5 seconds (the time a lost leader has to be
// replaced in, CheckOneLeader) for server i's term to pass term, and
// returns its new term.
func (c *Cluster) waitTermAbove(i, term int) int {
	c.t.Helper()
	start := c.Now()
	for c.Now()-start < 5*time.Second {
		if now, _ := c.GetState(i); now > term {
			return now
		}
		c.Sleep(10 * time.Millisecond)
	}
	now, _ := c.GetState(i)
	c.historyFatalf("s%d stayed in term %d for 5s without a leader to hear from: a follower that hears from no "+
		"leader must stand for election when its election timeout passes (Figure 2, Followers)", i, now)
	return -1
}

// electionsWindow is how long checkElectionsGoOn waits for two elections:
// two of the longest election timeouts a Raft may have, since a lost
// leader must be replaced within 5 seconds (CheckOneLeader), and a little
// more for the votes.
const electionsWindow = 10*time.Second + 500*time.Millisecond

// checkElectionsGoOn sends server i, which only the test talks to, a
// message every 50ms, built by send from i's current term, and checks that
// i refuses each and still stands for election twice within
// electionsWindow. alone is how soon i stood when it was first cut off,
// with no one talking to it: the pace its timer keeps, for the verdict.
func (c *Cluster) checkElectionsGoOn(i int, alone time.Duration, what, rule string, send func(term int) (probeReply, bool)) {
	c.t.Helper()
	first, _ := c.GetState(i)
	start := c.Now()
	var stood []string // "term T at S"
	last := first
	for c.Now()-start < electionsWindow && last-first < 2 {
		term, _ := c.GetState(i)
		if term > last {
			stood = append(stood, fmt.Sprintf("term %d at %s", term, seconds(c.Now())))
			last = term
		}
		if reply, ok := send(term); ok && reply.OK {
			c.historyFatalf("s%d, in term %d, accepted %s", i, term, strings.Replace(what, ", which it refused", "", 1))
		}
		c.Sleep(50 * time.Millisecond)
	}
	if last, _ = c.GetState(i); last-first >= 2 {
		return
	}
	elections := "stood for no election"
	if len(stood) > 0 {
		elections = fmt.Sprintf("stood for election once (%s) and not again", stood[0])
	}
	c.historyFatalf("s%d, cut off from the others, %s in the %s from %s on (it stayed in term %d), while the test sent "+
		"it, every 50ms, %s; when it was first cut off, with no one talking to it, it stood within %s. Its election "+
		"timer should have run out twice in that time (%s; Figure 2, Followers)",
		i, elections, seconds(electionsWindow), seconds(start), last, what, seconds(alone), rule)
}

// LateVotes checks that a vote counts only in the election it was asked
// for. The test answers for two of three servers: they grant the third's
// vote in one election but the replies arrive late, once it has moved on,
// first to an election of its own in a later term (which they refuse), then
// to following another candidate. Counting those votes then would make it
// a leader nobody elected. Figure 2, Rules for Servers: Candidates become
// leader on "votes received from majority of servers" in their election;
// All Servers: a reply from an older term is out of date.
func LateVotes(c *Cluster) {
	c.Boot(3)
	s := c.CheckOneLeader()
	term, _ := c.GetState(s)

	// The others are replaced by puppets in a later term: s steps down,
	// times out and stands. They grant its election's votes, held back.
	ps := c.puppets(s, term+1, c.others(s)...)
	holdNextVote(ps, term+1)
	held := c.waitHeld(s, ps)

	// s times out and stands again; the puppets refuse. Then the old
	// votes arrive.
	c.waitTermAbove(s, held)
	releaseVotes(ps)
	c.checkNeverLeads(s, ps, held, func(t int) string {
		return fmt.Sprintf("s%d became leader in term %d, though the two other servers (the test answered for them) "+
			"refused it in every term after %d: it counted their votes from its election of term %d, which arrived "+
			"after it had moved on to a new election. A vote counts only in the election it was asked for: "+
			"count a reply only while still a candidate in the term of the request (Figure 2, Candidates)",
			s, t, held, held)
	})

	// Again, but this time a candidate of a newer term asks s for its vote
	// before the old votes arrive: s is a follower when they do.
	now, _ := c.GetState(s)
	holdNextVote(ps, now)
	held = c.waitHeld(s, ps)
	newer, _ := c.GetState(s)
	newer++
	c.requestVote(s, voteRequest{Term: newer, Candidate: ps[0].Me, LastLogIndex: 1 << 20, LastLogTerm: newer})
	releaseVotes(ps)
	c.checkNeverLeads(s, ps, held, func(t int) string {
		return fmt.Sprintf("s%d became leader in term %d, though it had become a follower in term %d (a candidate of "+
			"that term asked for its vote) and the two other servers (the test answered for them) refused it in "+
			"every term after %d: it counted votes of its election of term %d that arrived late. A reply from an "+
			"older term must be ignored: before counting a vote, check that the server is still a candidate, in "+
			"the term of the request (Figure 2, Rules for All Servers and Candidates)", s, t, newer, held, held)
	})
}

// waitHeld waits up to 5 seconds for server s to ask every puppet for its
// vote in one election, which the puppets hold, and returns its term.
func (c *Cluster) waitHeld(s int, ps []*puppet) int {
	c.t.Helper()
	start := c.Now()
	for c.Now()-start < 5*time.Second {
		term := ps[0].HeldTerm()
		all := term > 0
		for _, p := range ps[1:] {
			all = all && p.HeldTerm() == term
		}
		if all {
			return term
		}
		c.Sleep(5 * time.Millisecond)
	}
	now, _ := c.GetState(s)
	if why := answersByRPC(c.raft(s)); why != "" {
		c.historyFatalf("s%d (now in term %d) did not ask both other servers, whom the test answers for, for their "+
			"votes within 5s of their replies of a newer term, and %s", s, now, why)
	}
	c.historyFatalf("s%d (now in term %d) did not ask both other servers for their votes within 5s of hearing from "+
		"them of a newer term and no leader: a follower that hears from no leader must stand for election, "+
		"sending RequestVote to every other server", s, now)
	return -1
}

// checkNeverLeads watches server s for a second: it must not lead any term
// after held, since the puppets grant no vote there. failure says why.
func (c *Cluster) checkNeverLeads(s int, ps []*puppet, held int, failure func(term int) string) {
	c.t.Helper()
	start := c.Now()
	for c.Now()-start < time.Second {
		if t, isLeader := c.GetState(s); isLeader && t > held {
			c.historyFatalf("%s", failure(t))
		}
		for _, p := range ps {
			for t := held + 1; t <= held+20; t++ {
				if p.SawAppend(t) {
					c.historyFatalf("%s (it sent AppendEntries as leader of term %d)", failure(t), t)
				}
			}
		}
		c.Sleep(10 * time.Millisecond)
	}
}
