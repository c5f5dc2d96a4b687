package records

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"raftlabs/labgob"
	"raftlabs/labrpc"
	"raftlabs/labtest/internal/exchanges"
	"raftlabs/labtest/internal/history"
	"raftlabs/labtest/internal/installs"
	"raftlabs/labtest/internal/revealed"
	"raftlabs/labtest/internal/service"
)

// Records are the records of one test.
type Records struct {
	Servers   int // how many servers the cluster has
	Exchanges *exchanges.Exchanges
	Revealed  *revealed.Revealed
	Installs  *installs.Installs
	Applies   *service.Checker
	History   *history.History

	Codec          labgob.Mark     // the codec's problems before the test
	Network        *labrpc.Network // nil before the cluster boots
	NetworkProblem int             // how many problems the network had reported before the test
}

// Problem returns the first problem found outside the scenario's own
// checks, by the service, the terms and votes shown, the leadership
// history, the codec or the network; nil if none. Two servers that
// applied different commands at an index come with how it happened, if
// the records show it.
func (r Records) Problem() error {
	if r.Applies != nil {
		if err := r.Applies.Problem(); err != nil {
			if d := r.Applies.UnsafeFirst(); d != nil {
				if how := r.Disagreement(d); how != "" {
					err = fmt.Errorf("%w\n%s", err, how)
				}
			}
			return err
		}
	}
	if r.Revealed != nil {
		if err := r.Revealed.Err(); err != nil {
			return err
		}
	}
	if r.History != nil {
		if f := r.History.UnearnedProblem(); f != nil {
			return f
		}
	}
	if ps := labgob.ProblemsSince(r.Codec); len(ps) > 0 {
		return errors.New("labgob: " + ps[0])
	}
	if r.Network != nil {
		if ps := r.Network.Problems(); len(ps) > r.NetworkProblem {
			return errors.New(ps[r.NetworkProblem])
		}
	}
	return nil
}

// Disagreement explains two servers applying different commands at one
// index, d, from the messages: a server that kept its own entry against a
// conflicting one it accepted, or accepted a prevLogTerm its entry did not
// have; or a vote for a candidate less up to date than its voter. It
// returns "" if the messages show none of these.
func (r Records) Disagreement(d *service.Disagreement) string {
	if r.Exchanges != nil {
		for k := range 2 {
			if how := r.Exchanges.KeptConflicting(d.Servers[k], d.Index, d.Commands[k], d.At[k], d.Commands[1-k]); how != "" {
				return how
			}
			if how := r.Exchanges.MatchedOther(d.Servers[k], d.Index, d.Commands[k], d.At[k]); how != "" {
				return how
			}
		}
	}
	return r.upToDate()
}

// upToDate explains state machine safety lost: a vote granted to a
// candidate less up to date than an entry its voter had applied when the
// candidate asked (§5.4.1). The votes are package revealed's; the entry a
// voter had applied is the service's, and its term the Starts' that
// created it (package exchanges). A snapshot the voter installed since it
// applied the entry may have taken entries away: that is another rule's
// matter, and no vote is blamed for it. It returns "" if no vote was.
func (r Records) upToDate() string {
	if r.Revealed == nil || r.Exchanges == nil {
		return ""
	}
	return r.Revealed.UpToDateHow(func(voter int, before time.Duration) (index, term int, command any, at time.Duration, ok bool) {
		index, command, at, ok = r.Applies.LastAppliedBefore(voter, before)
		if !ok || r.Installs != nil && r.Installs.AnsweredSince(voter, at) {
			return 0, 0, nil, 0, false
		}
		term, ok = r.Exchanges.EntryTerm(index, command)
		return index, term, command, at, ok
	})
}

// Stall explains, a line for each, why the servers that lack index, which
// a Start on leader returned for command, were not sent it or did not take
// it; "" if the exchanges show nothing.
func (r Records) Stall(leader, index int, command any) string {
	if r.Exchanges == nil || leader < 0 {
		return ""
	}
	var lines []string
	for f := range r.Servers {
		if f == leader {
			continue
		}
		if _, ok := r.Applies.Applied(f, index); ok {
			continue
		}
		if how := r.Exchanges.Stalled(leader, f, index, command); how != "" {
			lines = append(lines, "\n"+how)
		}
	}
	return strings.Join(lines, "")
}
