package labtest

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"raftlabs/labrpc"
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
const stormCalls = 1000

// restandGap is how soon after stepping down a server's next candidacy
// counts as "at once": less than any election timeout the course allows.
const restandGap = 50 * time.Millisecond

// history is one test's leadership history. It is safe for concurrent use,
// and it only ever locks its own mutex, so a watcher outside the test's
// bubble may read it even when the test's clock has stopped.
type history struct {
	mu      sync.Mutex
	start   time.Time
	terms   map[int]*termRecord
	servers map[int]*serverRecord
	pairs   map[pairKey]*pairRecord
	safety  string // the first election safety violation seen in the RPCs
}

// termRecord is what happened in one term.
type termRecord struct {
	candidates map[int]candidacy
	votes      map[int][]int // candidate -> the servers whose granted vote reached it
	refusals   map[int][]int // candidate -> the servers that refused it, in this term
	leaders    map[int]time.Duration
}

// candidacy is one server standing for election in a term.
type candidacy struct {
	at time.Duration
	// afterDown is how long after it learned that the term it led was
	// over; downFrom is that term, 0 if it had not just led.
	afterDown time.Duration
	downFrom  int
}

// serverRecord is what the history knows about one server.
type serverRecord struct {
	led     int           // the latest term it acted as leader of, 0 if none
	downAt  time.Duration // when it learned led was over, -1 if it has not
	downTo  int           // the newer term it learned of then
	restood bool          // it has stood for election since downAt

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
	at             time.Duration // when the latest call was sent
	burst          int           // calls sent at that instant
	burstRefused   int           // of those, replies that refused
	argsTerm       int           // the latest call's term
	replyTerm      int           // the latest reply's term
}

// rpcFields are the fields of RequestVote and AppendEntries messages the
// history reads; gob fills in the ones a message has, by name.
type rpcFields struct {
	Term int

	// The outcome, in the spellings the harness accepts (see probe.go).
	VoteGranted, Granted, Vote bool
	Success, Succeeded, Ok     bool
}

// granted reports a RequestVote reply's outcome; succeeded an AppendEntries'.
func (f rpcFields) granted() bool   { return f.VoteGranted || f.Granted || f.Vote }
func (f rpcFields) succeeded() bool { return f.Success || f.Succeeded || f.Ok }

func newHistory() *history {
	return &history{
		start:   time.Now(),
		terms:   map[int]*termRecord{},
		servers: map[int]*serverRecord{},
		pairs:   map[pairKey]*pairRecord{},
	}
}

// observe is the network's observer: it reads every RequestVote and
// AppendEntries between servers.
func (h *history) observe(ev labrpc.Event) {
	_, method, _ := strings.Cut(ev.Method, ".")
	if method != "RequestVote" && method != "AppendEntries" {
		return
	}
	from, ok := endSender(ev.End)
	to, ok2 := serverNumber(ev.Server)
	if !ok || !ok2 {
		return // the harness's own messages are not the servers' history
	}
	var args rpcFields
	if gob.NewDecoder(bytes.NewReader(ev.Args)).Decode(&args) != nil {
		return
	}
	switch ev.Kind {
	case labrpc.Sent:
		h.sent(from, to, method, args.Term, time.Since(h.start))
	case labrpc.Delivered:
		var reply rpcFields
		if gob.NewDecoder(bytes.NewReader(ev.Reply)).Decode(&reply) != nil {
			return
		}
		h.delivered(from, to, method, args.Term, reply, time.Since(h.start))
	}
}

// endSender returns the server that owns an end named "s2->s0#1".
func endSender(end string) (int, bool) {
	name, _, ok := strings.Cut(end, "->")
	if !ok {
		return 0, false
	}
	return serverNumber(name)
}

// serverNumber parses a server name, "s2".
func serverNumber(name string) (int, bool) {
	digits, ok := strings.CutPrefix(name, "s")
	if !ok {
		return 0, false
	}
	i, err := strconv.Atoi(digits)
	return i, err == nil
}

func (h *history) term(t int) *termRecord {
	r := h.terms[t]
	if r == nil {
		r = &termRecord{
			candidates: map[int]candidacy{},
			votes:      map[int][]int{},
			refusals:   map[int][]int{},
			leaders:    map[int]time.Duration{},
		}
		h.terms[t] = r
	}
	return r
}

func (h *history) server(i int) *serverRecord {
	s := h.servers[i]
	if s == nil {
		s = &serverRecord{downAt: -1}
		h.servers[i] = s
	}
	return s
}

// sent records a call from one server to another.
func (h *history) sent(from, to int, method string, term int, now time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	p := h.pairs[pairKey{from, to, method}]
	if p == nil {
		p = &pairRecord{}
		h.pairs[pairKey{from, to, method}] = p
	}
	p.calls++
	if p.at != now {
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
func (h *history) stood(i, term int, now time.Duration) {
	r := h.term(term)
	if _, seen := r.candidates[i]; seen {
		return
	}
	c := candidacy{at: now}
	if s := h.server(i); s.led > 0 && s.led < term && s.downAt >= 0 && !s.restood {
		c.afterDown, c.downFrom = max(0, now-s.downAt), s.led
		s.restood = true
	}
	r.candidates[i] = c
}

// led records server i acting as leader of term: only a leader sends
// AppendEntries. A second server doing so in the same term breaks election
// safety.
func (h *history) led(i, term int, now time.Duration) {
	r := h.term(term)
	if _, seen := r.leaders[i]; !seen {
		for other, at := range r.leaders {
			if other != i && h.safety == "" {
				h.safety = fmt.Sprintf("election safety: term %d has 2 leaders %s: s%d sent AppendEntries as leader "+
					"of term %d from %s, and s%d from %s (only a leader sends AppendEntries)",
					term, serverList([]int{other, i}), other, term, seconds(at), i, seconds(now))
			}
		}
		r.leaders[i] = now
	}
	if s := h.server(i); term > s.led {
		s.led, s.downAt, s.downTo, s.restood = term, -1, 0, false
	}
}

// delivered records the reply to a call.
func (h *history) delivered(from, to int, method string, term int, reply rpcFields, now time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	refused := (method == "RequestVote" && !reply.granted()) || (method == "AppendEntries" && !reply.succeeded())
	if p := h.pairs[pairKey{from, to, method}]; p != nil {
		p.replyTerm = reply.Term
		if refused {
			p.refused++
			if p.at == now {
				p.burstRefused++
			}
		}
	}
	// Each side learns the other's term: the sender from the reply, the
	// receiver from the request.
	h.learned(from, reply.Term, now)
	h.learned(to, term, now)
	if method == "RequestVote" && term > 0 && reply.Term == term {
		r := h.term(term)
		if reply.granted() {
			r.votes[from] = appendOnce(r.votes[from], to)
		} else {
			r.refusals[from] = appendOnce(r.refusals[from], to)
		}
	}
}

// learned records that server i heard of term: if it led an older term, that
// leadership is over.
func (h *history) learned(i, term int, now time.Duration) {
	if s := h.servers[i]; s != nil && s.led > 0 && term > s.led && s.downAt < 0 {
		s.downAt, s.downTo = now, term
	}
}

// polled records a GetState answer.
func (h *history) polled(i, term int, isLeader bool, now time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.server(i)
	if s.led > 0 && s.downAt < 0 && (term > s.led || (term == s.led && !isLeader)) {
		s.downAt, s.downTo = now, term
	}
	s.polled, s.pollTerm, s.pollLeader, s.pollAt = true, term, isLeader, now
	if isLeader && term > 0 {
		r := h.term(term)
		if _, seen := r.leaders[i]; !seen {
			r.leaders[i] = now
		}
		if term > s.led {
			s.led, s.downAt, s.downTo, s.restood = term, -1, 0, false
		}
	}
}

// safetyProblem returns the first election safety violation seen in the
// servers' RPCs, or "".
func (h *history) safetyProblem() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.safety
}

// ledTerm returns the latest term server i was seen leading, and since when.
func (h *history) ledTerm(i int) (term int, since time.Duration, ok bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.servers[i]
	if s == nil || s.led == 0 {
		return 0, 0, false
	}
	return s.led, h.terms[s.led].leaders[i], true
}

// stepDown returns when server i learned that the latest term it led was
// over, and the newer term it learned of.
func (h *history) stepDown(i int) (at time.Duration, to int, ok bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.servers[i]
	if s == nil || s.downAt < 0 {
		return 0, 0, false
	}
	return s.downAt, s.downTo, true
}

// candidacyOf returns server i's candidacy in term, if it stood.
func (h *history) candidacyOf(i, term int) (candidacy, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	r := h.terms[term]
	if r == nil {
		return candidacy{}, false
	}
	cand, ok := r.candidates[i]
	return cand, ok
}

// text is the history as the failures print it: a line per term, the
// latest historyTerms of them, then the hints derived from it.
func (h *history) text() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	terms := slices.Sorted(maps.Keys(h.terms))
	if len(terms) == 0 {
		return "leadership history: no server stood for election or led, as far as the RPCs and GetState show\n"
	}
	var b strings.Builder
	b.WriteString("leadership history (the test's clock; from the servers' RPCs and GetState):\n")
	if hidden := len(terms) - historyTerms; hidden > 0 {
		led := 0
		for _, t := range terms[:hidden] {
			if len(h.terms[t].leaders) > 0 {
				led++
			}
		}
		fmt.Fprintf(&b, "  terms %d-%d not shown: %d terms, %d of them with a leader\n",
			terms[0], terms[hidden-1], hidden, led)
		terms = terms[hidden:]
	}
	for _, t := range terms {
		fmt.Fprintf(&b, "  term %d: %s\n", t, h.termLine(t))
	}
	for _, hint := range h.hints() {
		fmt.Fprintf(&b, "  hint: %s\n", hint)
	}
	return b.String()
}

// termLine describes one term: "s0 stood at 0.31s, votes from [s1 s2]; s0 led from 0.33s".
func (h *history) termLine(t int) string {
	r := h.terms[t]
	var parts []string
	for _, i := range slices.Sorted(maps.Keys(r.candidates)) {
		c := r.candidates[i]
		s := fmt.Sprintf("s%d stood at %s", i, seconds(c.at))
		if c.downFrom > 0 {
			s += fmt.Sprintf(" (%s after it stopped leading term %d)", seconds(c.afterDown), c.downFrom)
		}
		if v := r.votes[i]; len(v) > 0 {
			s += ", votes from " + serverList(v)
		}
		if v := r.refusals[i]; len(v) > 0 {
			s += ", refused by " + serverList(v)
		}
		parts = append(parts, s)
	}
	leaders := slices.Sorted(maps.Keys(r.leaders))
	slices.SortStableFunc(leaders, func(a, b int) int { return int(r.leaders[a] - r.leaders[b]) })
	for _, i := range leaders {
		s := fmt.Sprintf("s%d led from %s", i, seconds(r.leaders[i]))
		if sr := h.servers[i]; sr != nil && sr.led == t && sr.downAt >= 0 {
			s += fmt.Sprintf(" until it learned of term %d at %s", sr.downTo, seconds(sr.downAt))
		}
		parts = append(parts, s)
	}
	if len(r.leaders) == 0 && len(r.candidates) > 0 {
		parts = append(parts, "no leader")
	}
	return strings.Join(parts, "; ")
}

// hints derives advice from the history, for the patterns that have one
// likely cause. h.mu must be held.
func (h *history) hints() []string {
	var hints []string
	if h.safety != "" {
		hints = append(hints, h.safety)
	}
	terms := slices.Sorted(maps.Keys(h.terms))

	// A server that stood again at once after its leadership ended.
	for _, t := range terms {
		for _, i := range slices.Sorted(maps.Keys(h.terms[t].candidates)) {
			if c := h.terms[t].candidates[i]; c.downFrom > 0 && c.afterDown < restandGap {
				hints = append(hints, fmt.Sprintf("s%d stood for election in term %d %s after it learned that its "+
					"term %d as leader was over: a server that steps down must start a fresh election timeout; "+
					"a deadline left from before it led has long passed, so it unseats the new leader at once",
					i, t, seconds(c.afterDown), c.downFrom))
				break
			}
		}
	}

	// Elections without a winner, in the latest terms.
	recent := terms[max(0, len(terms)-historyTerms):]
	var split, leaderless []int
	for _, t := range recent {
		r := h.terms[t]
		if len(r.leaders) > 0 || len(r.candidates) == 0 {
			continue
		}
		leaderless = append(leaderless, t)
		if len(r.candidates) > 1 {
			split = append(split, t)
		}
	}
	if len(split) >= 3 && 2*len(split) >= len(leaderless) {
		hints = append(hints, fmt.Sprintf("split votes: in %d of the latest %d terms (%s) several servers stood "+
			"for election at once and none won a majority: election timeouts must be randomized (§5.2), so that "+
			"one server usually times out and wins before the others stand", len(split), len(recent), termRange(split)))
	}

	// Voters that refuse every candidate of new terms, without having voted.
	refusedBy := map[int][]int{}
	for _, t := range leaderless {
		r := h.terms[t]
		for _, cand := range slices.Sorted(maps.Keys(r.refusals)) {
			for _, v := range r.refusals[cand] {
				if _, stood := r.candidates[v]; stood || votedIn(r, v) {
					continue
				}
				if !slices.Contains(refusedBy[v], t) {
					refusedBy[v] = append(refusedBy[v], t)
				}
			}
		}
	}
	for _, v := range slices.Sorted(maps.Keys(refusedBy)) {
		if ts := refusedBy[v]; len(ts) >= 3 {
			hints = append(hints, fmt.Sprintf("s%d refused its vote in terms %s without voting for anyone in them "+
				"(as far as the network shows): unless the candidates' logs were behind its own, votedFor was not "+
				"reset when the term changed (Figure 2: votedFor is the vote cast in currentTerm)", v, termRange(ts)))
			break
		}
	}
	return hints
}

// votedIn reports whether server v's granted vote is known in term r.
func votedIn(r *termRecord, v int) bool {
	for _, voters := range r.votes {
		if slices.Contains(voters, v) {
			return true
		}
	}
	return false
}

// storms describes the streams of calls made many times at one instant of
// the test's clock, the busiest first, with the rule each breaks.
func (h *history) storms() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	keys := slices.Collect(maps.Keys(h.pairs))
	slices.SortFunc(keys, func(a, b pairKey) int { return h.pairs[b].burst - h.pairs[a].burst })
	var b strings.Builder
	for _, k := range keys {
		p := h.pairs[k]
		if p.burst < stormCalls {
			break
		}
		fmt.Fprintf(&b, "s%d sent %s %s to s%d at %s on the test's clock, without the clock moving",
			k.from, thousands(p.burst), k.method, k.to, seconds(p.at))
		switch {
		case p.burstRefused == 0:
			b.WriteString(": a call must not be repeated at once in a loop; wait for a reply, a timer or a heartbeat\n")
			continue
		case p.burstRefused >= p.burst-1:
			b.WriteString(", each refused")
		default:
			fmt.Fprintf(&b, ", %s of them refused", thousands(p.burstRefused))
		}
		fmt.Fprintf(&b, " (request term %d, reply term %d)", p.argsTerm, p.replyTerm)
		switch {
		case p.replyTerm > p.argsTerm:
			fmt.Fprintf(&b, ": a reply with a higher term means the sender's term is over: s%d must adopt term %d "+
				"and step down to follower (Figure 2, All Servers), not retry\n", k.from, p.replyTerm)
		case k.method == "AppendEntries":
			fmt.Fprintf(&b, ": a refused AppendEntries from a leader of the receiver's own term means either that "+
				"s%d must step down to follower and accept its leader (Figure 2, Candidates: \"If AppendEntries RPC "+
				"received from new leader: convert to follower\"), or that the logs differ and s%d must back up "+
				"nextIndex; never resend at once in a loop\n", k.to, k.from)
		default:
			fmt.Fprintf(&b, ": a candidate whose vote was refused must not ask again at once; it waits for its "+
				"next election timeout\n")
		}
	}
	return b.String()
}

// termRange formats terms as "5-9" when consecutive, else "5, 7, 9".
func termRange(ts []int) string {
	if len(ts) > 1 && ts[len(ts)-1]-ts[0] == len(ts)-1 {
		return fmt.Sprintf("%d-%d", ts[0], ts[len(ts)-1])
	}
	parts := make([]string, len(ts))
	for k, t := range ts {
		parts[k] = strconv.Itoa(t)
	}
	return strings.Join(parts, ", ")
}

// thousands formats n as "152,311".
func thousands(n int) string {
	s := strconv.Itoa(n)
	for k := len(s) - 3; k > 0; k -= 3 {
		s = s[:k] + "," + s[k:]
	}
	return s
}

func appendOnce(s []int, v int) []int {
	if slices.Contains(s, v) {
		return s
	}
	return append(s, v)
}

// historyText is the test's leadership history and the hints derived from
// it, for a failure that involves leaders or terms. It is at most a few
// dozen lines. It needs no lock of the cluster's, so it may be called with
// c.mu held or not, and from outside the test's bubble.
func (c *Cluster) historyText() string {
	if c.history == nil {
		return ""
	}
	return c.history.text()
}

// historyFatalf fails the test with a message about leaders or terms,
// followed by the leadership history it was judged on.
func (c *Cluster) historyFatalf(format string, args ...any) {
	c.t.Helper()
	msg := fmt.Sprintf(format, args...)
	if h := c.historyText(); h != "" {
		msg += "\n" + strings.TrimRight(h, "\n")
	}
	c.Fatalf("%s", msg)
}

// checkHistory fails the test if the servers' RPCs broke election safety.
func (c *Cluster) checkHistory() {
	c.t.Helper()
	if c.history == nil {
		return
	}
	if p := c.history.safetyProblem(); p != "" {
		c.historyFatalf("%s", p)
	}
}
