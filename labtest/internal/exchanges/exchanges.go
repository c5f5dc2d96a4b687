package exchanges

import (
	"fmt"
	"sync"
	"time"

	"raftlabs/labrpc"
	"raftlabs/labtest/internal/history"
	"raftlabs/labtest/internal/words"
)

// Exchanges records the latest AppendEntries and InstallSnapshots each
// server sent each other that were answered, and the snapshots each
// server's service asked it to take. It is safe for concurrent use.
type Exchanges struct {
	mu          sync.Mutex
	start       time.Time
	sentAt      map[int]time.Duration      // call -> when it was sent, until it ends
	pairs       map[[2]int][]exchange      // (from, to) -> its latest, up to keptExchanges
	snapshotted map[int]snapshotCall       // server -> the latest Snapshot its service called
	started     map[serverIndex]startReply // (server, index) -> the Start on it that returned index
	accepted    map[acceptKey]acceptance   // a command at an index of a server's, in an AppendEntries it accepted
	matched     map[matchKey]acceptance    // a prevLogIndex and prevLogTerm a server accepted (latestTerm unused)
}

// A serverIndex is an index of one server's log.
type serverIndex struct{ server, index int }

// A matchKey is a prevLogIndex and prevLogTerm of one server's.
type matchKey struct{ server, index, term int }

// An acceptKey is a command at an index of one server's log.
type acceptKey struct {
	server, index int
	command       any // history.CommandKey's
}

// An acceptance is how a server accepted AppendEntries that carried one
// command at one index: the first of them (at is when it was sent), and
// the latest term of any.
type acceptance struct {
	from, term int
	at         time.Duration
	latestTerm int
}

// keptExchanges is how many of each pair's latest Exchanges the record
// keeps; stallRepeats is how many alike, in a row, count as a stall.
const (
	keptExchanges = 16
	stallRepeats  = 3
)

// An exchange is one answered AppendEntries or InstallSnapshot.
type exchange struct {
	install  bool // an InstallSnapshot; else an AppendEntries
	term     int
	prev     int // AppendEntries: prevLogIndex
	entries  int // AppendEntries: how many entries it carried
	success  bool
	replied  int // the reply's term
	through  int // InstallSnapshot: the snapshot's last included index
	sent, at time.Duration
}

// snapshotCall is a Snapshot the service called on a server.
type snapshotCall struct {
	index int
	at    time.Duration
}

// startReply is what a Start on a server returned.
type startReply struct {
	command any
	term    int
	at      time.Duration
}

// New returns an empty record, on a clock that starts now.
func New() *Exchanges {
	return &Exchanges{start: time.Now(), sentAt: map[int]time.Duration{}, pairs: map[[2]int][]exchange{},
		snapshotted: map[int]snapshotCall{}, started: map[serverIndex]startReply{}, accepted: map[acceptKey]acceptance{},
		matched: map[matchKey]acceptance{}}
}

// Observe reads one network event between two servers: an AppendEntries or
// InstallSnapshot sent, answered or lost.
func (x *Exchanges) Observe(ev *history.Event) {
	from, to, method, ok := ev.Between()
	if !ok || method != "AppendEntries" && method != "InstallSnapshot" {
		return
	}
	now := ev.Time.Sub(x.start)
	x.mu.Lock()
	sent, known := x.sentAt[ev.Call]
	switch ev.Kind {
	case labrpc.Sent:
		x.sentAt[ev.Call] = now
		x.mu.Unlock()
		return
	case labrpc.Delivered:
		delete(x.sentAt, ev.Call)
		x.mu.Unlock()
	default:
		delete(x.sentAt, ev.Call)
		x.mu.Unlock()
		return
	}
	if !known {
		return
	}
	args, ok := ev.ArgsFields()
	reply, ok2 := ev.ReplyFields()
	if !ok || !ok2 {
		return
	}
	e := exchange{install: method == "InstallSnapshot", term: args.Term, success: reply.AppendSucceeded(),
		replied: reply.Term, sent: sent, at: now}
	if e.install {
		_, through, ok := history.SnapshotThrough(ev.Args)
		if !ok {
			return
		}
		e.through = through
	} else {
		first, commands, ok := ev.Entries()
		if !ok {
			return
		}
		e.prev, e.entries = first-1, len(commands)
		if e.success {
			x.noteAccepted(from, to, args.Term, first, commands, sent)
			if prevTerm, ok := ev.PrevLogTerm(); ok && e.prev > 0 {
				x.noteMatched(from, to, args.Term, e.prev, prevTerm, sent)
			}
		}
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	key := [2]int{from, to}
	kept := x.pairs[key]
	if len(kept) == keptExchanges {
		kept = kept[1:]
	}
	x.pairs[key] = append(kept, e)
}

// noteAccepted records that server to accepted an AppendEntries of term,
// sent by server from at at, that carried commands from index first on.
func (x *Exchanges) noteAccepted(from, to, term, first int, commands []any, at time.Duration) {
	x.mu.Lock()
	defer x.mu.Unlock()
	for k, command := range commands {
		if command == nil {
			continue
		}
		key := acceptKey{to, first + k, history.CommandKey(command)}
		a, seen := x.accepted[key]
		if !seen {
			a = acceptance{from: from, term: term, at: at}
		}
		a.latestTerm = max(a.latestTerm, term)
		x.accepted[key] = a
	}
}

// noteMatched records that server to accepted an AppendEntries of term,
// sent by server from at at, with prevLogIndex prev and prevLogTerm
// prevTerm, if it is the first so.
func (x *Exchanges) noteMatched(from, to, term, prev, prevTerm int, at time.Duration) {
	x.mu.Lock()
	defer x.mu.Unlock()
	key := matchKey{to, prev, prevTerm}
	if _, seen := x.matched[key]; !seen {
		x.matched[key] = acceptance{from: from, term: term, at: at}
	}
}

// MatchedOther explains server i applying own at index, at at, after an
// AppendEntries it accepted was sent with prevLogIndex index and a
// prevLogTerm other than own's entry's term, when no AppendEntries of a
// later term carried own there nor a Start of one put it there: it
// accepted an AppendEntries whose previous entry it did not have. It
// returns "" if the messages show no such thing.
func (x *Exchanges) MatchedOther(i, index int, own any, at time.Duration) string {
	ownTerm, ok := x.EntryTerm(index, own)
	if !ok {
		return ""
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	for key, a := range x.matched {
		if key.server != i || key.index != index || key.term == ownTerm || a.at >= at || x.gotLaterLocked(i, index, own, a.term) {
			continue
		}
		return fmt.Sprintf("how it happened: s%d accepted an AppendEntries of term %d from s%d, sent at %s, with "+
			"prevLogIndex %d and prevLogTerm %d, yet applied %s there after it, an entry of term %d: its entry at "+
			"prevLogIndex did not have the term prevLogTerm. Figure 2, AppendEntries receiver rule 2: \"Reply false "+
			"if log doesn't contain an entry at prevLogIndex whose term matches prevLogTerm\"", i, a.term, a.from,
			words.Seconds(a.at), index, key.term, words.Command(own), ownTerm)
	}
	return ""
}

// gotLaterLocked reports whether server i was given own at index after
// term: by an AppendEntries of a later term it accepted, or by a Start in a
// later term. Call it with x.mu held.
func (x *Exchanges) gotLaterLocked(i, index int, own any, term int) bool {
	if later, ok := x.accepted[acceptKey{i, index, history.CommandKey(own)}]; ok && later.latestTerm > term {
		return true
	}
	s, ok := x.started[serverIndex{i, index}]
	return ok && history.CommandKey(s.command) == history.CommandKey(own) && s.term > term
}

// KeptConflicting explains server i applying own at index, at at, after an
// AppendEntries it accepted was sent that carried other there, an entry of
// a different term, when no AppendEntries of a later term carried own
// there nor a Start of one put it there: it kept its own entry against a
// conflicting one. It returns "" if the messages show no such thing.
func (x *Exchanges) KeptConflicting(i, index int, own any, at time.Duration, other any) string {
	ownTerm, ok1 := x.EntryTerm(index, own)
	otherTerm, ok2 := x.EntryTerm(index, other)
	x.mu.Lock()
	defer x.mu.Unlock()
	a, ok := x.accepted[acceptKey{i, index, history.CommandKey(other)}]
	if !ok1 || !ok2 || !ok || ownTerm == otherTerm || a.at >= at {
		return ""
	}
	if x.gotLaterLocked(i, index, own, a.term) {
		return ""
	}
	return fmt.Sprintf("how it happened: s%d accepted an AppendEntries of term %d from s%d, sent at %s, that carried "+
		"%s at index %d, an entry of term %d, yet applied %s there after it, an entry of term %d: it kept its own "+
		"entry against a conflicting one. Figure 2, AppendEntries receiver rule 3: \"If an existing entry conflicts with a new one "+
		"(same index but different terms), delete the existing entry and all that follow it\", and rule 4: "+
		"\"Append any new entries not already in the log\"", i, a.term, a.from, words.Seconds(a.at), words.Command(other),
		index, otherTerm, words.Command(own), ownTerm)
}

// NoteSnapshot records that server i's service called Snapshot(index) at at.
func (x *Exchanges) NoteSnapshot(i, index int, at time.Duration) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.snapshotted[i] = snapshotCall{index, at}
}

// NoteStart records that a Start of command on server i returned index as
// leader of term, at at.
func (x *Exchanges) NoteStart(i, index, term int, command any, at time.Duration) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.started[serverIndex{i, index}] = startReply{command, term, at}
}

// Stalled explains why server f lacks index, which a Start on leader
// returned for command, from the latest Exchanges between them in the
// Start's term after it returned; "" if they show nothing the rules
// forbid.
func (x *Exchanges) Stalled(leader, f, index int, command any) string {
	x.mu.Lock()
	defer x.mu.Unlock()
	s, ok := x.started[serverIndex{leader, index}]
	if !ok || history.CommandKey(s.command) != history.CommandKey(command) {
		return ""
	}
	var recent []exchange
	for _, e := range x.pairs[[2]int{leader, f}] {
		if e.term == s.term && e.replied == s.term && e.sent >= s.at {
			recent = append(recent, e)
		}
	}
	if len(recent) < stallRepeats {
		return ""
	}
	last := recent[len(recent)-stallRepeats:]
	alike := func(same func(a, b exchange) bool) bool {
		for _, e := range last {
			if !same(e, last[0]) {
				return false
			}
		}
		return true
	}
	n, first := len(last), last[0]
	switch {
	case alike(func(a, b exchange) bool { return !a.install && a.success && a.prev+a.entries < index }):
		for _, e := range recent {
			if !e.install && e.prev+e.entries >= index {
				return "" // it was sent the entry
			}
		}
		return fmt.Sprintf("how it happened: s%d accepted the last %d AppendEntries s%d sent it in term %d, none "+
			"carrying index %d, though s%d's Start had put %s there at %s: after a "+
			"follower accepts, its leader sends the entries starting at nextIndex (Figure 2, Leaders: \"If last log "+
			"index ≥ nextIndex for a follower: send AppendEntries RPC with log entries starting at nextIndex\")",
			f, n, leader, s.term, index, leader, words.Command(command), words.Seconds(s.at))
	case resent(last):
		return resentInstall(leader, f, first.through, n, s.term)
	case alike(func(a, b exchange) bool { return !a.install && !a.success && a.prev == b.prev }):
		for _, e := range recent {
			if e.install {
				return ""
			}
		}
		if snap, ok := x.snapshotted[leader]; ok && snap.index >= first.prev && snap.at < first.sent {
			return fmt.Sprintf("how it happened: s%d refused the last %d AppendEntries s%d sent it in term %d, each "+
				"with prevLogIndex %d, and no InstallSnapshot between, though s%d's service had called "+
				"Snapshot(%d) on it at %s: a leader that has discarded the entries a follower needs sends it its "+
				"snapshot (§7: \"the leader must occasionally send snapshots to followers that lag behind\", with "+
				"Figure 13's InstallSnapshot)", f, n, leader, s.term, first.prev, leader, snap.index, words.Seconds(snap.at))
		}
		return fmt.Sprintf("how it happened: s%d refused the last %d AppendEntries s%d sent it in term %d, each with "+
			"prevLogIndex %d: after a refusal, a leader retries with a lower "+
			"nextIndex (Figure 2, Leaders: \"If AppendEntries fails because of log inconsistency: decrement "+
			"nextIndex and retry\"). A leader that keeps nextIndex above matchIndex must start matchIndex at 0: "+
			"when it is elected it knows of nothing replicated on a follower (Figure 2, State: matchIndex[] "+
			"\"initialized to 0\")", f, n, leader, s.term, first.prev)
	}
	return ""
}

// resent reports whether es are the same InstallSnapshot, each sent again
// after the one before was answered.
func resent(es []exchange) bool {
	for k, e := range es {
		if !e.install || e.through != es[0].through || k > 0 && e.sent < es[k-1].at {
			return false
		}
	}
	return true
}

// resentInstall says that leader sent f the same InstallSnapshot through
// index through n times in a row in term, each after the one before was
// answered.
func resentInstall(leader, f, through, n, term int) string {
	return fmt.Sprintf("how it happened: s%d sent s%d the same InstallSnapshot through index %d %d times in a row in "+
		"term %d, each after the one before was answered, and no AppendEntries between: once a follower has a "+
		"snapshot, its leader goes on with the entries after it (Figure 2, Leaders: \"If successful: update "+
		"nextIndex and matchIndex for follower\"; after InstallSnapshot, nextIndex is the snapshot's last included "+
		"index + 1)", leader, f, through, n, term)
}

// ResentTo explains a follower sent too much to catch up from a snapshot,
// as a line of its own: a server that sent it the same InstallSnapshot
// again and again, each after the one before was answered; "" if none did.
func (x *Exchanges) ResentTo(f int) string {
	x.mu.Lock()
	defer x.mu.Unlock()
	for key, es := range x.pairs {
		if key[1] != f {
			continue
		}
		var same []exchange // the latest run of answered InstallSnapshots of one term
		for _, e := range es {
			if e.install && e.replied == e.term && len(same) > 0 && same[0].term == e.term && resent(append(same, e)) {
				same = append(same, e)
			} else if e.install && e.replied == e.term {
				same = []exchange{e}
			} else {
				same = nil
			}
		}
		if len(same) >= stallRepeats {
			return "\n" + resentInstall(key[0], f, same[0].through, len(same), same[0].term)
		}
	}
	return ""
}

// EntryTerm returns the term of the entry a Start put at index with
// command, if the Starts that returned index for it agree on one.
func (x *Exchanges) EntryTerm(index int, command any) (int, bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	term := 0
	for key, s := range x.started {
		if key.index != index || history.CommandKey(s.command) != history.CommandKey(command) {
			continue
		}
		if term != 0 && term != s.term {
			return 0, false
		}
		term = s.term
	}
	return term, term != 0
}
