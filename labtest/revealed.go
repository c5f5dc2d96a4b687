package labtest

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"raftlabs/labrpc"
	"raftlabs/labtest/internal/history"
)

// What each server has shown the others of its persistent state, read from
// the replies it sent them: the terms it answered in and the votes it
// granted. A server may lose anything in a crash except what it has shown,
// since others have acted on it; Figure 2's persistent state is "updated on
// stable storage before responding to RPCs" for exactly that reason. Only
// delivered replies count: a reply the network lost, or one from a server
// that crashed before it was sent, showed nothing.

// revealed is one test's record of what the servers have shown. It is safe
// for concurrent use.
type revealed struct {
	mu         sync.Mutex
	start      time.Time
	terms      map[int]termEvidence  // server -> the highest term it answered an RPC in
	votes      map[voteKey]voteGiven // (voter, term) -> the first candidate it granted its vote to
	crashes    map[int][]time.Duration
	crashTerms map[int]int // server -> the term it was in when it last crashed (persisted.go)
	problem    error       // the first server seen granting two votes in one term
}

// termEvidence is the reply that showed a server's highest term.
type termEvidence struct {
	term   int
	asker  string // the server that called it, "s0"
	method string // "AppendEntries" or "RequestVote"
	at     time.Duration
}

// voteKey names one server's vote in one term.
type voteKey struct{ voter, term int }

// voteGiven is a vote that reached its candidate.
type voteGiven struct {
	candidate int
	at        time.Duration
}

func newRevealed() *revealed {
	return &revealed{
		start:      time.Now(),
		terms:      map[int]termEvidence{},
		votes:      map[voteKey]voteGiven{},
		crashes:    map[int][]time.Duration{},
		crashTerms: map[int]int{},
	}
}

// observe reads one network event: a delivered RequestVote or AppendEntries
// reply between two servers.
func (r *revealed) observe(ev *history.Event) {
	if ev.Kind != labrpc.Delivered {
		return
	}
	_, method, _ := strings.Cut(ev.Method, ".")
	if method != "RequestVote" && method != "AppendEntries" {
		return
	}
	asker, ok := history.EndSender(ev.End)
	server, ok2 := history.ServerNumber(ev.Server)
	if !ok || !ok2 {
		return // the harness's own probes check what they need themselves
	}
	reply, ok := ev.ReplyFields()
	if !ok {
		return
	}
	now := ev.Time.Sub(r.start)
	r.record(server, termEvidence{term: reply.Term, asker: serverName(asker), method: method, at: now})
	if method != "RequestVote" || !reply.GrantedVote() {
		return // the arguments, with their entries, are decoded only for a vote
	}
	args, ok := ev.ArgsFields()
	if !ok {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	key := voteKey{server, args.Term}
	first, voted := r.votes[key]
	if !voted {
		r.votes[key] = voteGiven{candidate: asker, at: now}
		return
	}
	if err := checkOneVote(server, args.Term, first, voteGiven{asker, now}, r.crashes[server]); err != nil && r.problem == nil {
		r.problem = err
	}
}

// record keeps e if it shows a higher term for server than any before.
func (r *revealed) record(server int, e termEvidence) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if e.term > r.terms[server].term {
		r.terms[server] = e
	}
}

// checkOneVote checks a second vote a server granted in a term against the
// first: one vote per term, crashes or not.
func checkOneVote(voter, term int, first, second voteGiven, crashes []time.Duration) error {
	if first.candidate == second.candidate {
		return nil // the same vote, asked for again
	}
	a, b := first, second
	if b.at < a.at {
		a, b = b, a
	}
	for _, at := range crashes {
		if a.at <= at && at <= b.at {
			return fmt.Errorf("one vote per term: s%d granted its vote in term %d to s%d at %s and, after crashing at %s "+
				"and restarting, to s%d at %s: it forgot its vote across the crash, and two leaders of one term become "+
				"possible. votedFor must be persisted before the server answers RequestVote (Figure 2, persistent "+
				"state: \"updated on stable storage before responding to RPCs\"; §5.2: \"each server will vote for at "+
				"most one candidate in a given term\")", voter, term, a.candidate, seconds(a.at), seconds(at),
				b.candidate, seconds(b.at))
		}
	}
	return fmt.Errorf("one vote per term: s%d granted its vote in term %d to s%d at %s and to s%d at %s, with no crash "+
		"between: a server grants its vote only if votedFor is null or the candidate itself (RequestVote receiver "+
		"rule 2; §5.2: \"each server will vote for at most one candidate in a given term\")",
		voter, term, a.candidate, seconds(a.at), b.candidate, seconds(b.at))
}

// crashed records that server i crashed at now, in term.
func (r *revealed) crashed(i int, now time.Duration, term int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.crashes[i] = append(r.crashes[i], now)
	r.crashTerms[i] = term
}

// crashTerm returns the term server i was in when it last crashed.
func (r *revealed) crashTerm(i int) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.crashTerms[i]
}

// lastCrash returns when server i last crashed.
func (r *revealed) lastCrash(i int) time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	if cs := r.crashes[i]; len(cs) > 0 {
		return cs[len(cs)-1]
	}
	return 0
}

// termShown returns the reply that showed server i's highest term so far.
func (r *revealed) termShown(i int) termEvidence {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.terms[i]
}

// err returns the first double vote seen, or nil.
func (r *revealed) err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.problem
}
