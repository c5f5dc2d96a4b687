package labtest

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"time"

	"raftlabs/labrpc"
	"raftlabs/labtest/internal/history"
)

// When a crash finds a command a server applied missing from what it
// saved (persisted.go), the verdict says how the entry came to be
// unsaved, if the harness saw it: the server vouched for the entry while
// its Persister did not hold it. A follower vouches for an entry when it
// answers success to the AppendEntries that carried it (the leader counts
// that answer toward a commit); a leader, when its Start returns the
// entry's index (it counts itself toward the commit). Figure 2: persistent
// state is "updated on stable storage before responding to RPCs".
//
// Only an absence is recorded, and only as the verdict's explanation: a
// command's encoding found among the saved bytes may be a coincidence (a
// small integer is one byte), but one not found is not there.

// unsavedEntries records, for each server and index, the first time the
// server vouched for an entry its Persister did not hold. It is safe for
// concurrent use.
type unsavedEntries struct {
	mu    sync.Mutex
	first map[serverIndex]unsavedEntry
}

// A serverIndex is an index of one server's log.
type serverIndex struct{ server, index int }

// An unsavedEntry is how a server vouched for an entry it had not saved.
type unsavedEntry struct {
	command any // commandKey's
	how     string
}

func newUnsavedEntries() *unsavedEntries {
	return &unsavedEntries{first: map[serverIndex]unsavedEntry{}}
}

// note records how server i vouched for command at index unsaved, if it is
// the first time.
func (u *unsavedEntries) note(i, index int, command any, how string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	key := serverIndex{i, index}
	if _, seen := u.first[key]; !seen {
		u.first[key] = unsavedEntry{commandKey(command), how}
	}
}

// how returns how server i vouched for command at index unsaved, or "".
func (u *unsavedEntries) how(i, index int, command any) string {
	u.mu.Lock()
	defer u.mu.Unlock()
	e, ok := u.first[serverIndex{i, index}]
	if !ok || e.command != commandKey(command) {
		return ""
	}
	return e.how
}

// forget drops what server i vouched for: it crashed, and its next
// instance answers for itself.
func (u *unsavedEntries) forget(i int) {
	u.mu.Lock()
	defer u.mu.Unlock()
	for key := range u.first {
		if key.server == i {
			delete(u.first, key)
		}
	}
}

// saves reports whether server i's Persister holds command, as far as its
// bytes can tell: false only if it certainly does not.
func (c *Cluster) saves(i int, command any) bool {
	needle, ok := gobBytes(command)
	if !ok {
		return true
	}
	c.mu.Lock()
	p := c.persisters[i]
	c.mu.Unlock()
	return bytes.Contains(p.ReadRaftState(), needle) || bytes.Contains(p.ReadSnapshot(), needle)
}

// noteUnsavedReply reads one network event: an AppendEntries answered with
// success, by a server whose Persister, when the reply arrived, lacked an
// entry the request carried.
func (c *Cluster) noteUnsavedReply(ev *history.Event) {
	if ev.Kind != labrpc.Delivered || !strings.HasSuffix(ev.Method, ".AppendEntries") {
		return
	}
	to, ok := history.ServerNumber(ev.Server)
	if !ok || to < 0 || to >= c.n || !c.applies.received.mayCarryCommands(ev.Args) {
		return
	}
	reply, ok := ev.ReplyFields()
	if !ok || !reply.AppendSucceeded() || !c.persistenceTaught() {
		return
	}
	args, _ := ev.ArgsFields()
	first, commands, ok := decodeEntries(ev.Args)
	if !ok {
		return
	}
	sender := "the harness"
	if from, ok := history.EndSender(ev.End); ok {
		sender = serverName(from)
	}
	at := ev.Time.Sub(c.start)
	for k, command := range commands {
		if command == nil || c.saves(to, command) {
			continue
		}
		c.unsaved.note(to, first+k, command, unsavedReply(to, sender, args.Term, first+k, command, at))
	}
}

// unsavedReply is how follower i vouched for command at index unsaved: it
// answered success to the AppendEntries of term from sender that carried
// it, and its Persister lacked it when the reply arrived, at.
func unsavedReply(i int, sender string, term, index int, command any, at time.Duration) string {
	return fmt.Sprintf("how it happened: s%d answered success to the AppendEntries of term %d from %s that carried "+
		"%s at index %d, and its Persister did not hold that entry when the reply reached %s at %s: a follower "+
		"saves the entries it appends before it replies", i, term, sender, commandText(command), index, sender, seconds(at))
}

// noteUnsavedStart records a Start on server i that returned index for
// command, as leader of term, at, while its Persister lacked the command.
func (c *Cluster) noteUnsavedStart(i int, command any, index, term int, at time.Duration) {
	if !c.persistenceTaught() || c.saves(i, command) {
		return
	}
	c.unsaved.note(i, index, command, unsavedStart(i, command, index, term, at))
}

// unsavedStart is how leader i vouched for command at index unsaved.
func unsavedStart(i int, command any, index, term int, at time.Duration) string {
	return fmt.Sprintf("how it happened: s%d's Start put %s at index %d as the leader of term %d at %s, and its "+
		"Persister did not hold that entry when Start returned: a leader saves the entry Start appends before it "+
		"sends it or counts it toward a commit", i, commandText(command), index, term, seconds(at))
}
