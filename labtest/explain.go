package labtest

import (
	"strings"
	"time"

	"raftlabs/labtest/internal/service"
)

// The explanations some verdicts add, a line that starts "how it
// happened:", drawn from the records the cluster keeps (packages
// exchanges, revealed, installs and service); each record writes its own
// lines, and these put together what only the cluster has.

// disagreementHow explains two servers applying different commands at one
// index, d, from the messages: a server that kept its own entry against a
// conflicting one it accepted, or accepted a prevLogTerm its entry did not
// have; or a vote for a candidate less up to date than its voter. It
// returns "" if the messages show none of these.
func (c *Cluster) disagreementHow(d *service.Disagreement) string {
	if c.exchanges != nil {
		for k := range 2 {
			if how := c.exchanges.KeptConflicting(d.Servers[k], d.Index, d.Commands[k], d.At[k], d.Commands[1-k]); how != "" {
				return how
			}
			if how := c.exchanges.MatchedOther(d.Servers[k], d.Index, d.Commands[k], d.At[k]); how != "" {
				return how
			}
		}
	}
	return c.upToDateHow()
}

// upToDateHow explains state machine safety lost: a vote granted to a
// candidate less up to date than an entry its voter had applied when the
// candidate asked (§5.4.1). The votes are package revealed's; the entry a
// voter had applied is the service's, and its term the Starts' that
// created it (package exchanges). A snapshot the voter installed since it
// applied the entry may have taken entries away: that is another rule's
// matter, and no vote is blamed for it. It returns "" if no vote was.
func (c *Cluster) upToDateHow() string {
	if c.revealed == nil || c.exchanges == nil {
		return ""
	}
	return c.revealed.UpToDateHow(func(voter int, before time.Duration) (index, term int, command any, at time.Duration, ok bool) {
		index, command, at, ok = c.applies.LastAppliedBefore(voter, before)
		if !ok || c.installs != nil && c.installs.AnsweredSince(voter, at) {
			return 0, 0, nil, 0, false
		}
		term, ok = c.exchanges.EntryTerm(index, command)
		return index, term, command, at, ok
	})
}

// stallHow explains, a line for each, why the servers that lack index,
// which a Start on leader returned for command, were not sent it or did not
// take it; "" if the exchanges show nothing.
func (c *Cluster) stallHow(leader, index int, command any) string {
	if c.exchanges == nil || leader < 0 {
		return ""
	}
	var lines []string
	for f := range c.n {
		if f == leader {
			continue
		}
		if _, ok := c.applies.Applied(f, index); ok {
			continue
		}
		if how := c.exchanges.Stalled(leader, f, index, command); how != "" {
			lines = append(lines, "\n"+how)
		}
	}
	return strings.Join(lines, "")
}
