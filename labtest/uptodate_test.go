package labtest

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// A vote is blamed only if its candidate's log was less up to date than an
// entry its voter had applied before the candidate asked.
func TestUpToDateExplained(t *testing.T) {
	c := &Cluster{revealed: newRevealed(), exchanges: newExchanges(), applies: newApplyChecker(3)}
	c.applies.installs = newInstalls()
	c.exchanges.noteStart(0, 6, 1, 106, ms(1500))
	c.applies.logs[1][6] = 106
	c.applies.appliedAt[1][6] = ms(1960)
	vote := func(lastIndex, lastTerm int, asked int) {
		c.revealed.grants = []grant{{voter: 1, candidate: 2, term: 4, lastIndex: lastIndex, lastTerm: lastTerm, asked: ms(asked)}}
	}
	assert.Empty(t, c.upToDateHow(), "no votes")
	vote(1, 1, 1900)
	assert.Empty(t, c.upToDateHow(), "asked before the voter applied the entry")
	vote(6, 1, 2080)
	assert.Empty(t, c.upToDateHow(), "as up to date")
	vote(2, 2, 2080)
	assert.Empty(t, c.upToDateHow(), "a later last term")
	vote(1, 1, 2080)
	assert.Equal(t, "how it happened: s1 granted its vote in term 4 to s2, whose RequestVote (sent at 2.08s) had "+
		"lastLogIndex 1 and lastLogTerm 1, though s1 had applied index 6 (106, an entry of term 1) at 1.96s: its "+
		"log was more up to date than the candidate's. A voter refuses such a candidate (RequestVote receiver rule "+
		"2: grant only if the \"candidate's log is at least as up-to-date as receiver's log\"; §5.4.1)", c.upToDateHow())
	c.applies.installs.answered[1] = []installAnswered{{from: "s0", term: 3, through: 3, at: ms(2000)}}
	assert.Empty(t, c.upToDateHow(), "a snapshot installed since may have cut the voter's log: another rule")
	c.applies.installs.answered[1] = nil
	c.exchanges.noteStart(2, 6, 2, 106, ms(1700))
	assert.Empty(t, c.upToDateHow(), "Starts that disagree on the entry's term")
}
