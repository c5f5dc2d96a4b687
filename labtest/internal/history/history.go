package history

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"raftlabs/labgob"
	"raftlabs/labrpc"
	"raftlabs/labtest/internal/testproc"
	"raftlabs/labtest/internal/words"
)

// The leadership history is what the servers showed of their roles and
// terms during a test, on the test's clock: who stood for election in which
// term, who voted for whom, who led, when a leader learned of a newer term,
// and what GetState answered. It is gathered from two sources: every
// RequestVote and AppendEntries the servers send each other (an observer of
// the network decodes their Term, VoteGranted and Success fields, by name,
// from the student's own messages), and every GetState the harness makes.
// Failures that involve leaders or terms print it, and the hints in those
// failures are derived from it, not from the test's name.

// historyTerms is how many terms the history text shows at most: the latest.
const historyTerms = 12

// stormCalls is how many calls one server must make to another at one
// instant of the test's clock before the stall verdict calls it a storm.
// An instant is stormInstant long: labrpc gives each call up to 1µs on the
// wire, so the calls of a storm creep forward without ticking the
// watchdog's 10ms heartbeat.
const (
	stormCalls   = 1000
	stormInstant = 10 * time.Millisecond
)

// restandGap is how soon after stepping down a server's next candidacy
// counts as "at once": less than any election timeout the course allows.
const restandGap = 50 * time.Millisecond

// History is one test's leadership history. It is safe for concurrent use,
// and it only ever locks its own mutex, so a watcher outside the test's
// bubble may read it even when the test's clock has stopped.
type History struct {
	mu      sync.Mutex
	start   time.Time
	terms   map[int]*termRecord
	servers map[int]*serverRecord
	pairs   map[pairKey]*pairRecord
	safety  string // the first election safety violation seen in the RPCs
	unsafe  int    // the term of that violation

	// size is the number of servers, for the check that a leader won a
	// majority's votes (majority.go); 0 leaves it unchecked.
	size     int
	unearned *testproc.Failure // the first leader seen without a majority's votes

	// electionTimeout is how long the tests allow for one election
	// (history_stalled.go).
	electionTimeout time.Duration
}

// termRecord is what happened in one term.
type termRecord struct {
	candidates map[int]Candidacy
	votes      map[int][]int // candidate -> the servers whose granted vote reached it
	// voteMessages counts, for each candidate and voter, the votes sent to
	// the candidate as RPCs of their own and not lost (majority.go).
	voteMessages map[int]map[int]int
	refusals     map[int][]int // candidate -> the servers that refused it, in this term
	leaders      map[int]time.Duration
}

// Candidacy is one server standing for election in a term.
type Candidacy struct {
	At time.Duration
	// AfterDown is how long after it learned that the term it led was
	// over; downFrom is that term, 0 if it had not just led.
	AfterDown time.Duration
	DownFrom  int
	// HeardAt is when an AppendEntries last reached it before it stood,
	// -1 if none had; heardFrom sent it, in term heardTerm.
	HeardAt              time.Duration
	HeardFrom, HeardTerm int
}

// serverRecord is what the history knows about one server.
type serverRecord struct {
	led     int           // the latest term it acted as leader of, 0 if none
	downAt  time.Duration // when it learned led was over, -1 if it has not
	downTo  int           // the newer term it learned of then
	restood bool          // it has stood for election since downAt

	heardAt              time.Duration // when an AppendEntries last reached it, -1 if none has
	heardFrom, heardTerm int           // who sent that one, in which term

	polled     bool // the fields below hold its latest GetState answer
	pollTerm   int
	pollLeader bool
	pollAt     time.Duration
}

// pairKey names a stream of calls: from one server to another, one method.
type pairKey struct {
	from, to int
	method   string // "AppendEntries" or "RequestVote"
}

// pairRecord counts one stream of calls, and the burst of them made at the
// latest instant of the test's clock.
type pairRecord struct {
	calls, refused int
	at             time.Duration // when the latest burst of calls began
	burst          int           // calls sent in it, within stormInstant
	burstRefused   int           // of those, replies that refused
	argsTerm       int           // the latest call's term
	replyTerm      int           // the latest reply's term
}

// Fields are the fields of RequestVote and AppendEntries messages the
// history reads; gob fills in the ones a message has, by name.
type Fields struct {
	Term int

	// The outcome, in the spellings the harness accepts (see package probe).
	VoteGranted, Granted, Vote bool
	Success, Succeeded, Ok     bool
}

// rpcFieldsUnsigned is Fields for a Raft whose terms are unsigned: gob
// carries an unsigned integer only into an unsigned field.
type rpcFieldsUnsigned struct {
	Term                       uint64
	VoteGranted, Granted, Vote bool
	Success, Succeeded, Ok     bool
}

// The decoders of Fields and rpcFieldsUnsigned (labgob.Messages: unchecked, since
// the harness reads the student's messages into types of its own).
var signedFields, unsignedFields labgob.Messages

// decodeRPCFields reads the fields the history needs from an encoded
// message, whatever the signedness of its Term.
func decodeRPCFields(data []byte) (Fields, bool) {
	var f Fields
	if signedFields.Decode(data, &f) == nil {
		return f, true
	}
	var u rpcFieldsUnsigned
	if unsignedFields.Decode(data, &u) != nil {
		return Fields{}, false
	}
	return Fields{int(u.Term), u.VoteGranted, u.Granted, u.Vote, u.Success, u.Succeeded, u.Ok}, true
}

// GrantedVote reports a RequestVote reply's outcome; AppendSucceeded an
// AppendEntries'.
func (f Fields) GrantedVote() bool     { return f.VoteGranted || f.Granted || f.Vote }
func (f Fields) AppendSucceeded() bool { return f.Success || f.Succeeded || f.Ok }

// New returns an empty history of a test of size servers (0: do not check
// that leaders won a majority's votes) in which an election is allowed
// electionTimeout.
func New(size int, electionTimeout time.Duration) *History {
	return &History{
		size:            size,
		electionTimeout: electionTimeout,
		start:           time.Now(),
		terms:           map[int]*termRecord{},
		servers:         map[int]*serverRecord{},
		pairs:           map[pairKey]*pairRecord{},
	}
}

// Observe is the network's observer: it reads every RequestVote and
// AppendEntries between servers.
func (h *History) Observe(ev *Event) {
	from, to, method, ok := ev.Between()
	if !ok {
		return // the harness's own messages are not the servers' history
	}
	if method != "RequestVote" && method != "AppendEntries" {
		if isVoteCarrier(method) {
			h.noteVoteMessage(ev, from, to)
		}
		return
	}
	args, ok := ev.ArgsFields()
	if !ok {
		return
	}
	switch ev.Kind {
	case labrpc.Sent:
		h.sent(from, to, method, args.Term, time.Since(h.start))
	case labrpc.Delivered:
		reply, ok := ev.ReplyFields()
		if !ok {
			return
		}
		h.delivered(from, to, method, args.Term, reply, time.Since(h.start))
	}
}

// Between returns the server an RPC goes from and the one it goes to, and
// its method without the service's name ("AppendEntries"); ok is false for
// the harness's own calls, which no server sent.
func (e *Event) Between() (from, to int, method string, ok bool) {
	_, method, _ = strings.Cut(e.Method, ".")
	from, ok = EndSender(e.End)
	to, ok2 := ServerNumber(e.Server)
	return from, to, method, ok && ok2
}

// EndSender returns the server that owns an end named "s2->s0#1".
func EndSender(end string) (int, bool) {
	name, _, ok := strings.Cut(end, "->")
	if !ok {
		return 0, false
	}
	return ServerNumber(name)
}

// ServerNumber parses a server name, "s2".
func ServerNumber(name string) (int, bool) {
	digits, ok := strings.CutPrefix(name, "s")
	if !ok {
		return 0, false
	}
	i, err := strconv.Atoi(digits)
	return i, err == nil
}

func (h *History) term(t int) *termRecord {
	r := h.terms[t]
	if r == nil {
		r = &termRecord{
			candidates:   map[int]Candidacy{},
			votes:        map[int][]int{},
			voteMessages: map[int]map[int]int{},
			refusals:     map[int][]int{},
			leaders:      map[int]time.Duration{},
		}
		h.terms[t] = r
	}
	return r
}

func (h *History) server(i int) *serverRecord {
	s := h.servers[i]
	if s == nil {
		s = &serverRecord{downAt: -1, heardAt: -1}
		h.servers[i] = s
	}
	return s
}

// sent records a call from one server to another.
func (h *History) sent(from, to int, method string, term int, now time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	p := h.pairs[pairKey{from, to, method}]
	if p == nil {
		p = &pairRecord{}
		h.pairs[pairKey{from, to, method}] = p
	}
	p.calls++
	if now-p.at >= stormInstant || now < p.at {
		p.at, p.burst, p.burstRefused = now, 0, 0
	}
	p.burst++
	p.argsTerm = term
	if term <= 0 {
		return
	}
	switch method {
	case "RequestVote":
		h.stood(from, term, now)
	case "AppendEntries":
		h.led(from, term, now)
	}
}

// stood records server i standing for election in term.
func (h *History) stood(i, term int, now time.Duration) {
	r := h.term(term)
	if _, seen := r.candidates[i]; seen {
		return
	}
	s := h.server(i)
	c := Candidacy{At: now, HeardAt: s.heardAt, HeardFrom: s.heardFrom, HeardTerm: s.heardTerm}
	if s.led > 0 && s.led < term && s.downAt >= 0 && !s.restood {
		c.AfterDown, c.DownFrom = max(0, now-s.downAt), s.led
		s.restood = true
	}
	r.candidates[i] = c
}

// led records server i acting as leader of term: only a leader sends
// AppendEntries. A second server doing so in the same term breaks election
// safety.
func (h *History) led(i, term int, now time.Duration) {
	h.checkEarned(i, term, "it sent AppendEntries as leader", now)
	r := h.term(term)
	if _, seen := r.leaders[i]; !seen {
		for other, at := range r.leaders {
			if other != i && h.safety == "" {
				h.unsafe = term
				h.safety = fmt.Sprintf("election safety: term %d has 2 leaders %s: s%d sent AppendEntries as leader "+
					"of term %d from %s, and s%d from %s (only a leader sends AppendEntries)",
					term, words.Servers([]int{other, i}), other, term, words.Seconds(at), i, words.Seconds(now))
			}
		}
		r.leaders[i] = now
	}
	if s := h.server(i); term > s.led {
		s.led, s.downAt, s.downTo, s.restood = term, -1, 0, false
	}
}

// delivered records the reply to a call.
func (h *History) delivered(from, to int, method string, term int, reply Fields, now time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	refused := (method == "RequestVote" && !reply.GrantedVote()) || (method == "AppendEntries" && !reply.AppendSucceeded())
	if p := h.pairs[pairKey{from, to, method}]; p != nil {
		p.replyTerm = reply.Term
		if refused {
			p.refused++
			if now-p.at < stormInstant && now >= p.at {
				p.burstRefused++
			}
		}
	}
	// Each side learns the other's term: the sender from the reply, the
	// receiver from the request.
	h.learned(from, reply.Term, now)
	h.learned(to, term, now)
	if method == "AppendEntries" && term > 0 {
		s := h.server(to)
		s.heardAt, s.heardFrom, s.heardTerm = now, from, term
	}
	if method == "RequestVote" && term > 0 && reply.Term == term {
		r := h.term(term)
		if reply.GrantedVote() {
			r.votes[from] = appendOnce(r.votes[from], to)
		} else {
			r.refusals[from] = appendOnce(r.refusals[from], to)
		}
	}
}

// learned records that server i heard of term: if it led an older term, that
// leadership is over.
func (h *History) learned(i, term int, now time.Duration) {
	if s := h.servers[i]; s != nil && s.led > 0 && term > s.led && s.downAt < 0 {
		s.downAt, s.downTo = now, term
	}
}

// Polled records a GetState answer.
func (h *History) Polled(i, term int, isLeader bool, now time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.server(i)
	if s.led > 0 && s.downAt < 0 && (term > s.led || (term == s.led && !isLeader)) {
		s.downAt, s.downTo = now, term
	}
	s.polled, s.pollTerm, s.pollLeader, s.pollAt = true, term, isLeader, now
	if isLeader && term > 0 {
		h.checkEarned(i, term, "GetState said it leads", now)
		r := h.term(term)
		if _, seen := r.leaders[i]; !seen {
			r.leaders[i] = now
		}
		if term > s.led {
			s.led, s.downAt, s.downTo, s.restood = term, -1, 0, false
		}
	}
}

// UnsafeTerm returns the term of the first election safety violation seen
// in the RPCs, 0 if none.
func (h *History) UnsafeTerm() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.unsafe
}

// SafetyProblem returns the first election safety violation seen in the
// servers' RPCs, or "".
func (h *History) SafetyProblem() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.safety
}

// LedTerm returns the latest term server i was seen leading, and since when.
func (h *History) LedTerm(i int) (term int, since time.Duration, ok bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.servers[i]
	if s == nil || s.led == 0 {
		return 0, 0, false
	}
	return s.led, h.terms[s.led].leaders[i], true
}

// StepDown returns when server i learned that the latest term it led was
// over, and the newer term it learned of.
func (h *History) StepDown(i int) (at time.Duration, to int, ok bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.servers[i]
	if s == nil || s.downAt < 0 {
		return 0, 0, false
	}
	return s.downAt, s.downTo, true
}

// CandidacyOf returns server i's candidacy in term, if it stood.
func (h *History) CandidacyOf(i, term int) (Candidacy, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	r := h.terms[term]
	if r == nil {
		return Candidacy{}, false
	}
	cand, ok := r.candidates[i]
	return cand, ok
}
