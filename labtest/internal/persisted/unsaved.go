package persisted

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"raftlabs/labrpc"
	"raftlabs/labtest/internal/history"
	"raftlabs/labtest/internal/words"
	"raftlabs/raftapi"
)

// Unsaved records, for each server and index, the first time the
// server vouched for an entry its Persister did not hold. It is safe for
// concurrent use.
type Unsaved struct {
	start     time.Time
	n         int
	persister func(i int) *raftapi.Persister
	receipts  Receipts

	mu    sync.Mutex
	first map[serverIndex]unsavedEntry
}

// Receipts tells an AppendEntries that may carry the tests' commands from
// one that certainly does not, as package receipts does.
type Receipts interface {
	MayCarryCommands(args []byte) bool
}

// A serverIndex is an index of one server's log.
type serverIndex struct{ server, index int }

// An unsavedEntry is how a server vouched for an entry it had not saved.
type unsavedEntry struct {
	command any // commandKey's
	how     string
}

// New returns an empty record for a test of n servers, on a clock that
// started at start; persister returns server i's Persister now, and
// receipts skips the messages that carry no command.
func New(start time.Time, n int, persister func(i int) *raftapi.Persister, receipts Receipts) *Unsaved {
	return &Unsaved{start: start, n: n, persister: persister, receipts: receipts, first: map[serverIndex]unsavedEntry{}}
}

// note records how server i vouched for command at index unsaved, if it is
// the first time.
func (u *Unsaved) note(i, index int, command any, how string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	key := serverIndex{i, index}
	if _, seen := u.first[key]; !seen {
		u.first[key] = unsavedEntry{history.CommandKey(command), how}
	}
}

// How returns how server i vouched for command at index unsaved, or "".
func (u *Unsaved) How(i, index int, command any) string {
	u.mu.Lock()
	defer u.mu.Unlock()
	e, ok := u.first[serverIndex{i, index}]
	if !ok || e.command != history.CommandKey(command) {
		return ""
	}
	return e.how
}

// Forget drops what server i vouched for: it crashed, and its next
// instance answers for itself.
func (u *Unsaved) Forget(i int) {
	u.mu.Lock()
	defer u.mu.Unlock()
	for key := range u.first {
		if key.server == i {
			delete(u.first, key)
		}
	}
}

// unsavedReply is how follower i vouched for command at index unsaved: it
// answered success to the AppendEntries of term from sender that carried
// it, and its Persister lacked it when the reply arrived, at.
func unsavedReply(i int, sender string, term, index int, command any, at time.Duration) string {
	return fmt.Sprintf("how it happened: s%d answered success to the AppendEntries of term %d from %s that carried "+
		"%s at index %d, and its Persister did not hold that entry when the reply reached %s at %s: a follower "+
		"saves the entries it appends before it replies", i, term, sender, words.Command(command), index, sender, words.Seconds(at))
}

// unsavedStart is how leader i vouched for command at index unsaved.
func unsavedStart(i int, command any, index, term int, at time.Duration) string {
	return fmt.Sprintf("how it happened: s%d's Start put %s at index %d as the leader of term %d at %s, and its "+
		"Persister did not hold that entry when Start returned: a leader saves the entry Start appends before it "+
		"sends it or counts it toward a commit", i, words.Command(command), index, term, words.Seconds(at))
}

// saves reports whether server i's Persister holds command, as far as its
// bytes can tell: false only if it certainly does not.
func (u *Unsaved) saves(i int, command any) bool {
	p := u.persister(i)
	// The snapshot is read only if the Raft state lacks the command: most
	// replies carry entries the state holds.
	return Holds(p.ReadRaftState(), nil, command) || Holds(nil, p.ReadSnapshot(), command)
}

// Observe reads one network event: an AppendEntries answered with
// success, by a server whose Persister, when the reply arrived, lacked an
// entry the request carried.
func (u *Unsaved) Observe(ev *history.Event) {
	if ev.Kind != labrpc.Delivered || !strings.HasSuffix(ev.Method, ".AppendEntries") {
		return
	}
	to, ok := history.ServerNumber(ev.Server)
	if !ok || to < 0 || to >= u.n || !u.receipts.MayCarryCommands(ev.Args) {
		return
	}
	reply, ok := ev.ReplyFields()
	if !ok || !reply.AppendSucceeded() {
		return
	}
	args, _ := ev.ArgsFields()
	first, commands, ok := ev.Entries()
	if !ok {
		return
	}
	sender := "the harness"
	if from, ok := history.EndSender(ev.End); ok {
		sender = words.Server(from)
	}
	at := ev.Time.Sub(u.start)
	for k, command := range commands {
		if command == nil || u.saves(to, command) {
			continue
		}
		u.note(to, first+k, command, unsavedReply(to, sender, args.Term, first+k, command, at))
	}
}

// NoteStart records a Start on server i that returned index for
// command, as leader of term, at, while its Persister lacked the command.
func (u *Unsaved) NoteStart(i int, command any, index, term int, at time.Duration) {
	if u.saves(i, command) {
		return
	}
	u.note(i, index, command, unsavedStart(i, command, index, term, at))
}
