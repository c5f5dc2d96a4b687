package exchanges

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// A stall is explained only by exchanges the rules forbid: three alike in
// a row, in the Start's term, sent after it returned.
func TestStallExplained(t *testing.T) {
	x := New()
	x.NoteStart(0, 5, 2, 100, (1000)*time.Millisecond)
	pair := func(es ...exchange) {
		for k := range es {
			es[k].term, es[k].replied = 2, 2
			es[k].sent = time.Duration(1100+10*k) * time.Millisecond
			es[k].at = es[k].sent + 50*time.Millisecond // answered after the next was sent
		}
		x.pairs[[2]int{0, 1}] = es
	}
	heartbeat := exchange{prev: 4, success: true}
	carries := exchange{prev: 4, entries: 1, success: true}
	refused := exchange{prev: 4}

	assert.Empty(t, x.Stalled(0, 1, 5, 100), "no exchanges")
	pair(heartbeat, heartbeat)
	assert.Empty(t, x.Stalled(0, 1, 5, 100), "too few to call a stall")
	pair(carries, heartbeat, heartbeat, heartbeat)
	assert.Empty(t, x.Stalled(0, 1, 5, 100), "the follower was sent the entry")
	assert.Empty(t, x.Stalled(0, 1, 5, 101), "another command's Start")

	pair(heartbeat, heartbeat, heartbeat)
	assert.Equal(t, "how it happened: s1 accepted the last 3 AppendEntries s0 sent it in term 2, none carrying "+
		"index 5, though s0's Start had put 100 there at 1.00s: after a follower accepts, its leader sends the "+
		"entries starting at nextIndex (Figure 2, Leaders: \"If last log index ≥ nextIndex for a follower: send "+
		"AppendEntries RPC with log entries starting at nextIndex\")", x.Stalled(0, 1, 5, 100))

	pair(refused, exchange{prev: 3}, exchange{prev: 2})
	assert.Empty(t, x.Stalled(0, 1, 5, 100), "a leader that backs up")
	pair(refused, refused, refused)
	assert.Contains(t, x.Stalled(0, 1, 5, 100), "how it happened: s1 refused the last 3 AppendEntries s0 sent it in "+
		"term 2, each with prevLogIndex 4: after a refusal, a leader retries with a lower nextIndex")
	x.NoteSnapshot(0, 4, (900)*time.Millisecond)
	assert.Contains(t, x.Stalled(0, 1, 5, 100), "with prevLogIndex 4, and no InstallSnapshot between, though s0's "+
		"service had called Snapshot(4) on it at 0.90s: a leader that has discarded the entries a follower needs "+
		"sends it its snapshot")

	install := exchange{install: true, through: 4}
	pair(install, carries, install)
	assert.Empty(t, x.Stalled(0, 1, 5, 100), "entries after the snapshot")
	pair(install, install, install)
	assert.Empty(t, x.Stalled(0, 1, 5, 100), "sent before the replies came back")
	assert.Empty(t, x.ResentTo(1))
	for k := range x.pairs[[2]int{0, 1}] {
		x.pairs[[2]int{0, 1}][k].at = time.Duration(1105+10*k) * time.Millisecond
	}
	want := "how it happened: s0 sent s1 the same InstallSnapshot through index 4 3 times in a row in term 2, " +
		"each after the one before was answered, and no AppendEntries between"
	assert.Contains(t, x.Stalled(0, 1, 5, 100), want)
	assert.Contains(t, x.ResentTo(1), want)
	assert.Empty(t, x.ResentTo(0))

	pair(heartbeat, heartbeat, heartbeat)
	x.pairs[[2]int{0, 1}][1].replied = 3
	assert.Empty(t, x.Stalled(0, 1, 5, 100), "a reply of a later term ends the leader's term")
}

// Two commands at one index are blamed on a follower's AppendEntries
// receiver only when what it accepted, before it applied, proves it broke
// rule 3 (it kept its entry against a conflicting one) or rule 2 (it
// accepted a prevLogTerm its entry did not have).
func TestDisagreementExplained(t *testing.T) {
	x := New()
	x.NoteStart(2, 2, 1, 102, (500)*time.Millisecond) // the stale leader's entry, term 1
	x.NoteStart(0, 2, 2, 103, (900)*time.Millisecond) // the new leader's, term 2
	assert.Empty(t, x.KeptConflicting(1, 2, 102, (2000)*time.Millisecond, 103), "nothing accepted")
	assert.Empty(t, x.MatchedOther(1, 2, 102, (2000)*time.Millisecond))

	x.noteAccepted(0, 1, 3, 2, []any{103}, (1900)*time.Millisecond)
	assert.Equal(t, "how it happened: s1 accepted an AppendEntries of term 3 from s0, sent at 1.90s, that carried "+
		"103 at index 2, an entry of term 2, yet applied 102 there after it, an entry of term 1: it kept its own entry "+
		"against a conflicting one. Figure 2, AppendEntries receiver rule 3: \"If an existing entry conflicts with a "+
		"new one (same index but different terms), delete the existing entry and all that follow it\", and rule 4: "+
		"\"Append any new entries not already in the log\"", x.KeptConflicting(1, 2, 102, (2000)*time.Millisecond, 103))
	assert.Empty(t, x.KeptConflicting(1, 2, 102, (1800)*time.Millisecond, 103), "applied before the AppendEntries was sent")
	x.noteAccepted(2, 1, 4, 2, []any{102}, (1950)*time.Millisecond)
	assert.Empty(t, x.KeptConflicting(1, 2, 102, (2000)*time.Millisecond, 103), "a later term's AppendEntries gave it its entry")

	x.noteMatched(0, 3, 3, 2, 2, (1900)*time.Millisecond)
	assert.Equal(t, "how it happened: s3 accepted an AppendEntries of term 3 from s0, sent at 1.90s, with "+
		"prevLogIndex 2 and prevLogTerm 2, yet applied 102 there after it, an entry of term 1: its entry at "+
		"prevLogIndex did not have the term prevLogTerm. Figure 2, AppendEntries receiver rule 2: \"Reply false if "+
		"log doesn't contain an entry at prevLogIndex whose term matches prevLogTerm\"", x.MatchedOther(3, 2, 102, (2000)*time.Millisecond))
	assert.Empty(t, x.MatchedOther(3, 2, 103, (2000)*time.Millisecond), "its entry had the term prevLogTerm")
	assert.Empty(t, x.MatchedOther(3, 2, 102, (1800)*time.Millisecond), "applied before the AppendEntries was sent")
}
