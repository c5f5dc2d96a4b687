package revealed

import (
	"fmt"
	"sync"
	"time"

	"raftlabs/labrpc"
	"raftlabs/labtest/internal/history"
	"raftlabs/labtest/internal/words"
)

// Revealed is one test's record of what the servers have shown. It is safe
// for concurrent use.
type Revealed struct {
	mu         sync.Mutex
	start      time.Time
	terms      map[int]termEvidence  // server -> the highest term it answered an RPC in
	votes      map[voteKey]voteGiven // (voter, term) -> the first candidate it granted its vote to
	crashes    map[int][]time.Duration
	crashTerms map[int]int               // server -> the term it was in when it last crashed (CrashTerm)
	askedAt    map[int]time.Duration     // call -> when it was sent, until it is delivered or lost
	replies    map[int][]shownReply      // server -> its latest replies, up to keptReplies
	sentTerms  map[int]termEvidence      // server -> the request of the highest term it sent (asker: to whom)
	stood      map[voteKey]time.Duration // (server, term) -> when it first asked for votes in term
	grants     []grant                   // every vote granted, with the candidate's last log (UpToDateHow)
	problem    error                     // the first server seen granting two votes in one term
	problemIn  int                       // the term of that problem
	problemBy  int                       // the server that voted twice
	problemHow string                    // how its term went back, once the RPCs show it
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
	asked     time.Duration // when the candidate's request was sent, -1 if unknown
}

// New returns an empty record, on a clock that starts now.
func New() *Revealed {
	return &Revealed{
		start:      time.Now(),
		terms:      map[int]termEvidence{},
		votes:      map[voteKey]voteGiven{},
		crashes:    map[int][]time.Duration{},
		crashTerms: map[int]int{},
		askedAt:    map[int]time.Duration{},
		replies:    map[int][]shownReply{},
		sentTerms:  map[int]termEvidence{},
		stood:      map[voteKey]time.Duration{},
	}
}

// Observe reads one network event: a delivered RequestVote or AppendEntries
// reply between two servers.
func (r *Revealed) Observe(ev *history.Event) {
	asker, server, method, ok := ev.Between()
	if !ok {
		return // the harness's own probes check what they need themselves
	}
	if method != "RequestVote" && method != "AppendEntries" {
		return
	}
	asked := r.noteAsked(ev)
	if ev.Kind == labrpc.Sent {
		if args, ok := ev.ArgsFields(); ok {
			r.noteSent(asker, termEvidence{term: args.Term, asker: words.Server(server), method: method, at: ev.Time.Sub(r.start)})
		}
		return
	}
	if ev.Kind != labrpc.Delivered {
		return
	}
	reply, ok := ev.ReplyFields()
	if !ok {
		return
	}
	now := ev.Time.Sub(r.start)
	r.record(server, termEvidence{term: reply.Term, asker: words.Server(asker), method: method, at: now}, asked)
	if method != "RequestVote" || !reply.GrantedVote() {
		return // the arguments, with their entries, are decoded only for a vote
	}
	args, ok := ev.ArgsFields()
	if !ok {
		return
	}
	lastIndex, lastTerm, logOK := readLastLog(ev.Args)
	r.mu.Lock()
	defer r.mu.Unlock()
	if logOK && asked >= 0 {
		r.grants = append(r.grants, grant{voter: server, candidate: asker, term: args.Term, lastIndex: lastIndex,
			lastTerm: lastTerm, asked: asked})
	}
	key := voteKey{server, args.Term}
	first, voted := r.votes[key]
	if !voted {
		r.votes[key] = voteGiven{candidate: asker, at: now, asked: asked}
		return
	}
	second := voteGiven{candidate: asker, at: now, asked: asked}
	if err := checkOneVote(server, args.Term, first, second, r.crashes[server]); err != nil && r.problem == nil {
		r.problem, r.problemIn, r.problemBy = err, args.Term, server
		r.problemHow = r.termWentBackLocked(server, args.Term, first.at, first.granted(args.Term), asked, second.asking(args.Term))
	}
}

// wentBackLocked looks, among server's latest replies, for two that show
// its term went back across term without a crash: one answered in a term
// at least term, then one in a lower term no higher than term, to a request
// sent after the first reply arrived. It returns "" if there are none.
// Call it with r.mu held.
func (r *Revealed) wentBackLocked(server, term int) string {
	for _, high := range r.replies[server] {
		for _, low := range r.replies[server] {
			if high.term <= low.term || high.term < term || low.term > term || low.asked <= high.at ||
				r.crashedSinceLocked(server, high.at) {
				continue
			}
			answered := fmt.Sprintf("%s's %s", low.asker, low.method)
			if low.method == "GetState" {
				answered = "GetState"
			}
			return fmt.Sprintf("how it happened: s%d answered %s's %s in term %d by %s, then answered %s, asked at %s, "+
				"in term %d: its currentTerm went back from %d to %d without a crash, and so it could vote in term %d "+
				"again. currentTerm only increases (Figure 2), and a server refuses a RequestVote of a term earlier than "+
				"its own (RequestVote receiver rule 1: \"Reply false if term < currentTerm\")", server, high.asker,
				high.method, high.term, words.Seconds(high.at), answered, words.Seconds(low.asked), low.term, high.term, low.term, term)
		}
	}
	return ""
}

// noteSent keeps e, a request server sent, if its term is higher than
// any before, and when server first asked for votes in e's term.
func (r *Revealed) noteSent(server int, e termEvidence) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if e.term > r.sentTerms[server].term {
		r.sentTerms[server] = e
	}
	if _, seen := r.stood[voteKey{server, e.term}]; !seen && e.method == "RequestVote" {
		r.stood[voteKey{server, e.term}] = e.at
	}
}

// TwoLeaders explains two leaders of term by what the servers' RPCs show,
// or returns "": a server that granted two votes in term (the first double
// vote seen, if it was in term), or one that both stood for election in
// term and granted its vote in term to another candidate, with no crash
// between.
func (r *Revealed) TwoLeaders(term int) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.problem != nil && r.problemIn == term {
		return "how two won: " + r.problemLocked().Error()
	}
	for key, vote := range r.votes {
		stood, ok := r.stood[key]
		if key.term != term || !ok || r.crashedSinceLocked(key.voter, min(vote.at, stood)) {
			continue
		}
		line := fmt.Sprintf("how two won: s%d stood for election in term %d at %s and granted its vote in term %d "+
			"to s%d by %s, with no crash between: a candidate's vote in its own term is its own (Figure 2, "+
			"Candidates: \"vote for self\"), and a server votes at most once in a term (§5.2)", key.voter, term,
			words.Seconds(stood), term, vote.candidate, words.Seconds(vote.at))
		stand := fmt.Sprintf("stood for election in term %d at %s", term, words.Seconds(stood))
		back := r.termWentBackLocked(key.voter, term, stood, stand, vote.asked, vote.asking(term))
		if stood > vote.at {
			back = r.termWentBackLocked(key.voter, term, vote.at, vote.granted(term), stood,
				fmt.Sprintf("it stood for election in term %d itself at %s", term, words.Seconds(stood)))
			line = fmt.Sprintf("how two won: s%d granted its vote in term %d to s%d by %s, then stood for election "+
				"in term %d itself at %s, with no crash between: a server votes at most once in a term (§5.2), and a "+
				"candidate votes for itself (Figure 2, Candidates: \"vote for self\")", key.voter, term,
				vote.candidate, words.Seconds(vote.at), term, words.Seconds(stood))
		}
		if back != "" {
			line += "\n" + back
		}
		return line
	}
	return ""
}

// noteAsked keeps when each call was sent until it is delivered or lost,
// and returns, for a delivered one, when it was sent (-1 if unknown).
func (r *Revealed) noteAsked(ev *history.Event) time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	if ev.Kind == labrpc.Sent {
		r.askedAt[ev.Call] = ev.Time.Sub(r.start)
		return -1
	}
	asked, ok := r.askedAt[ev.Call]
	delete(r.askedAt, ev.Call)
	if !ok {
		return -1
	}
	return asked
}

// termWentBackLocked explains a second vote server cast in term if its
// term went back without a crash in between: after its first vote, cast
// at firstAt as first says ("granted its vote in term 5 to s0 by 2.00s"),
// it answered a request sent then in an earlier term; or, before the
// second vote's request was sent, at asked, as second says ("s3 asked for
// its vote in term 5 at 2.50s"), it had answered an RPC in a later term,
// or sent a request of one. It returns "" if the RPCs show no such thing.
// Call it with r.mu held.
func (r *Revealed) termWentBackLocked(server, term int, firstAt time.Duration, first string, asked time.Duration, second string) string {
	if asked < 0 || r.crashedSinceLocked(server, firstAt) {
		return ""
	}
	for _, e := range r.replies[server] {
		if e.term < term && e.asked > firstAt {
			return termWentBelow(server, term, first, e)
		}
	}
	for _, e := range []struct {
		shown termEvidence
		sent  bool
	}{{r.terms[server], false}, {r.sentTerms[server], true}} {
		if e.shown.term <= term || e.shown.at >= asked || r.crashedSinceLocked(server, e.shown.at) {
			continue
		}
		return termWentBack(server, term, e.shown, e.sent, second)
	}
	return ""
}

// crashedSinceLocked reports whether server crashed at or after at.
func (r *Revealed) crashedSinceLocked(server int, at time.Duration) bool {
	for _, crash := range r.crashes[server] {
		if crash >= at {
			return true
		}
	}
	return false
}

// termWentBelow says how server came to vote in term again: after it had
// first voted, it answered the reply shown, in an earlier term.
func termWentBelow(server, term int, first string, shown shownReply) string {
	then := fmt.Sprintf("answered %s's %s, sent at %s, in term %d", shown.asker, shown.method, words.Seconds(shown.asked), shown.term)
	if shown.method == "GetState" {
		then = fmt.Sprintf("reported term %d to GetState at %s", shown.term, words.Seconds(shown.asked))
	}
	return fmt.Sprintf("how it happened: s%d %s, then %s: its currentTerm went back from %d to %d without a crash, "+
		"and back in term %d it voted again. currentTerm only increases (Figure 2), and a server refuses a "+
		"RequestVote of a term earlier than its own (RequestVote receiver rule 1: \"Reply false if term < "+
		"currentTerm\")", server, first, then, term, shown.term, term)
}

// termWentBack says how server came to vote in term again: before its
// second vote, as second says, it had answered an RPC in the later term
// shown (or, if sent, sent a request of that term).
func termWentBack(server, term int, shown termEvidence, sent bool, second string) string {
	was := fmt.Sprintf("answered %s's %s in term %d", shown.asker, shown.method, shown.term)
	if sent {
		was = fmt.Sprintf("sent %s a %s of term %d", shown.asker, shown.method, shown.term)
	}
	return fmt.Sprintf("how it happened: s%d had %s at %s, before %s: its currentTerm went back from %d to %d "+
		"without a crash. currentTerm only increases (Figure 2), and a server refuses a RequestVote of a term "+
		"earlier than its own (RequestVote receiver rule 1: \"Reply false if term < currentTerm\")", server, was,
		words.Seconds(shown.at), second, shown.term, term)
}

// granted describes a vote given in term: "granted its vote in term 5 to
// s0 by 2.00s".
func (v voteGiven) granted(term int) string {
	return fmt.Sprintf("granted its vote in term %d to s%d by %s", term, v.candidate, words.Seconds(v.at))
}

// asking describes the request of a vote given in term: "s3 asked for its
// vote in term 5 at 2.50s".
func (v voteGiven) asking(term int) string {
	return fmt.Sprintf("s%d asked for its vote in term %d at %s", v.candidate, term, words.Seconds(v.asked))
}

// record keeps e, a reply of server's to a request sent at asked, among its
// latest replies, and as its highest term if it is.
func (r *Revealed) record(server int, e termEvidence, asked time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if e.term > r.terms[server].term {
		r.terms[server] = e
	}
	kept := r.replies[server]
	if len(kept) == keptReplies {
		kept = kept[1:]
	}
	r.replies[server] = append(kept, shownReply{e, asked})
}

// Polled keeps the term server reported to the harness's GetState, asked
// at asked, among its latest replies.
func (r *Revealed) Polled(server, term int, asked time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	kept := r.replies[server]
	if len(kept) == keptReplies {
		kept = kept[1:]
	}
	r.replies[server] = append(kept, shownReply{termEvidence{term: term, method: "GetState", at: asked}, asked})
}

// keptReplies is how many of each server's latest replies the record
// keeps, for the account of a term that went back.
const keptReplies = 32

// A shownReply is a reply a server sent, and when its request was sent.
type shownReply struct {
	termEvidence
	asked time.Duration
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
				"most one candidate in a given term\")", voter, term, a.candidate, words.Seconds(a.at), words.Seconds(at),
				b.candidate, words.Seconds(b.at))
		}
	}
	return fmt.Errorf("one vote per term: s%d granted its vote in term %d to s%d at %s and to s%d at %s, with no crash "+
		"between: a server grants its vote only if votedFor is null or the candidate itself (RequestVote receiver "+
		"rule 2; §5.2: \"each server will vote for at most one candidate in a given term\")",
		voter, term, a.candidate, words.Seconds(a.at), b.candidate, words.Seconds(b.at))
}

// A Vote is a vote a server granted: to which candidate, and when.
type Vote struct {
	Candidate int
	At        time.Duration
}

// OneVote checks two votes voter granted in term, first and second, given
// the times it crashed: a server votes at most once in a term, and
// remembers its vote across a crash.
func OneVote(voter, term int, first, second Vote, crashes []time.Duration) error {
	return checkOneVote(voter, term, voteGiven{candidate: first.Candidate, at: first.At},
		voteGiven{candidate: second.Candidate, at: second.At}, crashes)
}

// Crashed records that server i crashed at now, in term.
func (r *Revealed) Crashed(i int, now time.Duration, term int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.crashes[i] = append(r.crashes[i], now)
	r.crashTerms[i] = term
}

// CrashTerm returns the term server i was in when it last crashed.
func (r *Revealed) CrashTerm(i int) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.crashTerms[i]
}

// LastCrash returns when server i last crashed.
func (r *Revealed) LastCrash(i int) time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	if cs := r.crashes[i]; len(cs) > 0 {
		return cs[len(cs)-1]
	}
	return 0
}

// Err returns the first double vote seen, or nil.
func (r *Revealed) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.problemLocked()
}

// problemLocked returns the first double vote seen, with how the voter's
// term went back if its RPCs show it by now, or nil. Call it with r.mu
// held.
func (r *Revealed) problemLocked() error {
	if r.problem == nil {
		return nil
	}
	if r.problemHow == "" {
		r.problemHow = r.wentBackLocked(r.problemBy, r.problemIn)
	}
	if r.problemHow == "" {
		return r.problem
	}
	return fmt.Errorf("%w\n%s", r.problem, r.problemHow)
}

// Evidence is a reply that showed a server's term: the term, who asked
// ("s0", or a probe's own name), by which RPC, and when.
type Evidence struct {
	Term          int
	Asker, Method string
	At            time.Duration
}

// CheckRestoredTerm checks the term server i restarted in against the
// highest term it had answered an RPC in before it crashed.
func (r *Revealed) CheckRestoredTerm(i, term int) error {
	r.mu.Lock()
	e := r.terms[i]
	r.mu.Unlock()
	return RestoredTerm(i, term, Evidence{Term: e.term, Asker: e.asker, Method: e.method, At: e.at}, r.LastCrash(i))
}

// RestoredTerm checks the term server i restarted in, after its crash at
// crashedAt, against shown, a reply that showed its term before.
func RestoredTerm(i, term int, shown Evidence, crashedAt time.Duration) error {
	if shown.Term <= term {
		return nil
	}
	return fmt.Errorf("s%d restarted in term %d, but before it crashed at %s it had answered %s's %s in term %d "+
		"(at %s): its term went back across the crash. currentTerm must be persisted before the server answers "+
		"any RPC (Figure 2, persistent state: \"updated on stable storage before responding to RPCs\"), and Make "+
		"must restore it with readPersist from the persister it is given",
		i, term, words.Seconds(crashedAt), shown.Asker, shown.Method, shown.Term, words.Seconds(shown.At))
}
