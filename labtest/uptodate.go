package labtest

import (
	"fmt"
	"slices"
	"time"

	"raftlabs/labgob"
)

// When two servers apply different commands at one index, a vote often
// says how: a server granted its vote to a candidate whose log was less up
// to date than its own, judged by an entry the voter had already applied
// when the candidate asked. Such a candidate can win without a committed
// entry and overwrite it (§5.4.1). The record of the votes granted, with
// each candidate's last log index and term, is in revealed.go; the terms
// of entries come from the Starts that created them (stalls.go).

// A grant is a vote a server granted, as its candidate's RequestVote
// described the candidate's log.
type grant struct {
	voter, candidate, term int
	lastIndex, lastTerm    int
	asked                  time.Duration // when the RequestVote was sent
}

// lastLogFields is what the record reads of a RequestVote, in the
// spellings the harness's own RequestVote accepts (probe.go).
type lastLogFields struct {
	LastLogIndex, LastLogIdx, LastIndex, LastIdx, LastEntryIndex int
	LastLogTerm, LastTerm, LastEntryTerm                         int
}

// The decoders of lastLogFields (labgob.Messages: compiled once per message type).
var lastLogDecoders labgob.Messages

// readLastLog reads a RequestVote's last log index and term.
func readLastLog(args []byte) (index, term int, ok bool) {
	var f lastLogFields
	if lastLogDecoders.Decode(args, &f) != nil {
		return 0, 0, false
	}
	return max(f.LastLogIndex, f.LastLogIdx, f.LastIndex, f.LastIdx, f.LastEntryIndex),
		max(f.LastLogTerm, f.LastTerm, f.LastEntryTerm), true
}

// grantsSorted returns the votes granted, earliest asked first.
func (r *revealed) grantsSorted() []grant {
	r.mu.Lock()
	defer r.mu.Unlock()
	gs := slices.Clone(r.grants)
	slices.SortFunc(gs, func(a, b grant) int { return int(a.asked - b.asked) })
	return gs
}

// entryTerm returns the term of the entry a Start put at index with
// command, if the Starts that returned index for it agree on one.
func (x *exchanges) entryTerm(index int, command any) (int, bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	term := 0
	for key, s := range x.started {
		if key.index != index || commandKey(s.command) != commandKey(command) {
			continue
		}
		if term != 0 && term != s.term {
			return 0, false
		}
		term = s.term
	}
	return term, term != 0
}

// disagreementHow explains two servers applying different commands at one
// index, d, from the messages: a server that kept its own entry against a
// conflicting one it accepted, or accepted a prevLogTerm its entry did not
// have; or a vote for a candidate less up to date than its voter. It
// returns "" if the messages show none of these.
func (c *Cluster) disagreementHow(d *disagreement) string {
	if c.exchanges != nil {
		for k := range 2 {
			if how := c.exchanges.keptConflicting(d.servers[k], d.index, d.commands[k], d.at[k], d.commands[1-k]); how != "" {
				return how
			}
			if how := c.exchanges.matchedOther(d.servers[k], d.index, d.commands[k], d.at[k]); how != "" {
				return how
			}
		}
	}
	return c.upToDateHow()
}

// upToDateHow explains state machine safety lost: a vote granted to a
// candidate less up to date than an entry its voter had applied when the
// candidate asked. It returns "" if no vote was.
func (c *Cluster) upToDateHow() string {
	if c.revealed == nil || c.exchanges == nil {
		return ""
	}
	for _, g := range c.revealed.grantsSorted() {
		index, command, at, ok := c.applies.lastAppliedBefore(g.voter, g.asked)
		if !ok || c.applies.installs != nil && c.applies.installs.answeredSince(g.voter, at) {
			continue // a snapshot installed since may have taken entries away: another rule's matter
		}
		term, ok := c.exchanges.entryTerm(index, command)
		if !ok || g.lastTerm > term || g.lastTerm == term && g.lastIndex >= index {
			continue
		}
		return fmt.Sprintf("how it happened: s%d granted its vote in term %d to s%d, whose RequestVote (sent at %s) "+
			"had lastLogIndex %d and lastLogTerm %d, though s%d had applied index %d (%s, an entry of term %d) at %s: "+
			"its log was more up to date than the candidate's. A voter refuses such a candidate (RequestVote "+
			"receiver rule 2: grant only if the \"candidate's log is at least as up-to-date as receiver's log\"; "+
			"§5.4.1)", g.voter, g.term, g.candidate, seconds(g.asked), g.lastIndex, g.lastTerm, g.voter, index,
			commandText(command), term, seconds(at))
	}
	return ""
}

// answeredSince reports whether server i answered an InstallSnapshot
// that was delivered after at (its handler may have run before or after
// any later moment up to then).
func (r *installs) answeredSince(i int, at time.Duration) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.answered[i] {
		if s.at > at {
			return true
		}
	}
	return false
}

// lastAppliedBefore returns the highest index server i's current instance
// had applied before at, its command, and when it applied it.
func (a *applyChecker) lastAppliedBefore(i int, at time.Duration) (index int, command any, when time.Duration, ok bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for x, t := range a.appliedAt[i] {
		if t < at && x > index {
			index, when, ok = x, t, true
		}
	}
	if ok {
		command, ok = a.logs[i][index]
	}
	return index, command, when, ok
}
