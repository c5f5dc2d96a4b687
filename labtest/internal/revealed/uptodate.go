package revealed

import (
	"fmt"
	"slices"
	"time"

	"raftlabs/labgob"
	"raftlabs/labtest/internal/words"
)

// When two servers apply different commands at one index, a vote often
// says how: a server granted its vote to a candidate whose log was less up
// to date than its own, judged by an entry the voter had already applied
// when the candidate asked. Such a candidate can win without a committed
// entry and overwrite it (§5.4.1). The record keeps every vote granted,
// with the candidate's last log index and term as its RequestVote gave
// them; what the voter had applied is the caller's to say.

// A grant is a vote a server granted, as its candidate's RequestVote
// described the candidate's log.
type grant struct {
	voter, candidate, term int
	lastIndex, lastTerm    int
	asked                  time.Duration // when the RequestVote was sent
}

// lastLogFields is what the record reads of a RequestVote, in the
// spellings the harness's own RequestVote accepts (package probe).
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
func (r *Revealed) grantsSorted() []grant {
	r.mu.Lock()
	defer r.mu.Unlock()
	gs := slices.Clone(r.grants)
	slices.SortFunc(gs, func(a, b grant) int { return int(a.asked - b.asked) })
	return gs
}

// UpToDateHow explains state machine safety lost: a vote granted to a
// candidate less up to date than an entry its voter had applied when the
// candidate asked. applied says, for a voter and a moment, the highest
// index it had applied before then, that entry's command and term, and
// when it applied it, with ok false if that is not known for certain. It
// returns "" if no vote was.
func (r *Revealed) UpToDateHow(applied func(voter int, before time.Duration) (index, term int, command any, at time.Duration, ok bool)) string {
	for _, g := range r.grantsSorted() {
		index, term, command, at, ok := applied(g.voter, g.asked)
		if !ok || g.lastTerm > term || g.lastTerm == term && g.lastIndex >= index {
			continue
		}
		return fmt.Sprintf("how it happened: s%d granted its vote in term %d to s%d, whose RequestVote (sent at %s) "+
			"had lastLogIndex %d and lastLogTerm %d, though s%d had applied index %d (%s, an entry of term %d) at %s: "+
			"its log was more up to date than the candidate's. A voter refuses such a candidate (RequestVote "+
			"receiver rule 2: grant only if the \"candidate's log is at least as up-to-date as receiver's log\"; "+
			"§5.4.1)", g.voter, g.term, g.candidate, words.Seconds(g.asked), g.lastIndex, g.lastTerm, g.voter, index,
			words.Command(command), term, words.Seconds(at))
	}
	return ""
}
