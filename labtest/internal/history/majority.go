package history

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"raftlabs/labrpc"
	"raftlabs/labtest/internal/testproc"
	"raftlabs/labtest/internal/words"
)

// Leadership must be earned by votes. All of a test's servers run in one
// process, so a Raft could name its leader through a package-level variable
// and never win an election; the network would never show it. The history
// therefore checks, the first time a server acts as leader of a term (it
// sends AppendEntries in that term, or GetState says it leads it), that
// votes for that term from a majority of the servers, itself included,
// had reached it over the network by then:
//
//   - a RequestVote it sent whose reply, granting the vote, was delivered to
//     it (the network reports the delivery before Call returns, so the
//     history has it before the candidate can act on it); a reply the
//     network lost, or a vote granted by a handler whose reply never came
//     back, is not a vote the candidate received;
//   - or a message a voter sent it, of a method of its own, that carries the
//     term and a granted flag (a Raft that sends its votes as RPCs), unless
//     the network lost it before its handler ran.
//
// A majority is of the servers the candidate was given ends to: the test's
// cluster, puppets (package puppets) included.

// majorityProperty is the name under which the verdict reports a leader
// without a majority's votes.
const majorityProperty = "election by majority"

// noteVoteMessage records a vote a voter sent to a candidate as a message of
// its own, not as a RequestVote reply: from when it is sent until the
// network reports it lost before its handler ran, it counts as received.
func (h *History) noteVoteMessage(ev *Event, voter, candidate int) {
	args, ok := ev.ArgsFields()
	if !ok || !args.GrantedVote() || args.Term <= 0 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	r := h.term(args.Term)
	if r.voteMessages[candidate] == nil {
		r.voteMessages[candidate] = map[int]int{}
	}
	switch ev.Kind {
	case labrpc.Sent:
		r.voteMessages[candidate][voter]++
	case labrpc.RequestDropped, labrpc.Unreachable:
		r.voteMessages[candidate][voter]--
	}
}

// votersOf returns the servers whose votes for term had reached candidate,
// itself included, sorted. Call it with h.mu held.
func (h *History) votersOf(candidate, term int) []int {
	r := h.term(term)
	voters := appendOnce(slices.Clone(r.votes[candidate]), candidate)
	for voter, n := range r.voteMessages[candidate] {
		if n > 0 {
			voters = appendOnce(voters, voter)
		}
	}
	slices.Sort(voters)
	return voters
}

// checkEarned checks the first sign that server i leads term: how says
// what the sign was. Call it with h.mu held, before i is recorded as a
// leader of term.
func (h *History) checkEarned(i, term int, how string, now time.Duration) {
	if h.size == 0 || h.unearned != nil {
		return
	}
	if _, seen := h.term(term).leaders[i]; seen {
		return
	}
	voters := h.votersOf(i, term)
	if err := earnedLeadership(i, term, h.size, voters, how, now); err != nil {
		if stale := h.earlierVotes(i, term, voters); len(voters)+len(stale) >= h.size/2+1 {
			err = staleVotesCounted(i, term, voters, stale, how, now)
		}
		h.unearned = err
	}
}

// earlierVotes returns, for each server whose vote for term did not reach
// candidate, the latest earlier term in which its granted vote did: the
// votes a candidate that counts replies of an older election would count.
// Call it with h.mu held.
func (h *History) earlierVotes(candidate, term int, voters []int) map[int]int {
	stale := map[int]int{}
	for t, r := range h.terms {
		if t >= term {
			continue
		}
		for _, voter := range r.votes[candidate] {
			if !slices.Contains(voters, voter) && t > stale[voter] {
				stale[voter] = t
			}
		}
	}
	return stale
}

// staleVotesCounted is the verdict on a leader of term whose votes for term
// (voters) were too few, and which reached a majority only with votes
// granted to it in earlier elections (stale: voter -> term).
func staleVotesCounted(leader, term int, voters []int, stale map[int]int, how string, now time.Duration) *testproc.Failure {
	var earlier []string
	for _, voter := range slices.Sorted(maps.Keys(stale)) {
		earlier = append(earlier, fmt.Sprintf("s%d's in term %d", voter, stale[voter]))
	}
	return testproc.Violation(majorityProperty, "s%d led term %d (%s at %s) with votes for term %d from only %s; the other "+
		"votes it had received were granted in earlier elections (%s). A vote counts only in the election it was "+
		"asked for: a RequestVote reply from an older term must be ignored, even one that grants the vote "+
		"(Figure 2, Rules for Servers, Candidates: \"If votes received from majority of servers: become leader\", "+
		"the votes of this term's election)",
		leader, term, how, words.Seconds(now), term, words.Servers(voters), strings.Join(earlier, ", ")).AboutLeaders()
}

// earnedLeadership checks that leader, which showed it leads term as how
// says at now, had the votes of a majority of size servers: voters, itself
// included. Figure 2, Rules for Servers, Candidates.
func earnedLeadership(leader, term, size int, voters []int, how string, now time.Duration) *testproc.Failure {
	need := size/2 + 1
	if len(voters) >= need {
		return nil
	}
	return testproc.Violation(majorityProperty, "s%d led term %d (%s at %s) with votes from only %s of %d servers: a leader "+
		"needs a majority (%d) of RequestVote replies that grant it, for that term, delivered to it over the network, "+
		"its own vote included (Figure 2, Rules for Servers, Candidates: \"If votes received from majority of "+
		"servers: become leader\"). The servers run in one process, but a leader chosen any other way (a variable "+
		"the servers share, a message that is not a vote) is not elected",
		leader, term, how, words.Seconds(now), words.Servers(voters), size, need).AboutLeaders()
}

// UnearnedProblem returns the first leader seen without a majority's
// votes, or nil.
func (h *History) UnearnedProblem() *testproc.Failure {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.unearned
}

// isVoteCarrier reports whether a message of method may carry a vote as an
// RPC of its own: any method but the ones whose fields the history already
// reads, and InstallSnapshot, whose arguments are big and carry no vote.
func isVoteCarrier(method string) bool {
	return method != "RequestVote" && method != "AppendEntries" && !strings.Contains(method, "Snapshot")
}
