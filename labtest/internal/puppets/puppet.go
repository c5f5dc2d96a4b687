package puppets

import (
	"fmt"
	"sync"
	"time"
)

// A Puppet stands in for a crashed server, under its name, and answers
// another server's RequestVote and AppendEntries as the test scripts: it can
// grant a vote and hold the reply back until the test releases it, which no
// network fault can be relied on to do. Scenarios use puppets to deliver a
// reply from an older term exactly when it tests a rule.
//
// Its messages are read and answered by Figure 2's field names, in the
// common spellings; the caller's own reply type receives the fields it has.
type Puppet struct {
	Me int // the server it stands in for

	mu        sync.Mutex
	term      int           // the highest term it has seen or claims
	holdAfter int           // the next election after this term is the one to hold; 0 if none
	holdTerm  int           // a RequestVote of this term is granted, its reply held until release
	held      int           // RequestVotes of holdTerm being held
	release   chan struct{} // closed to send the held replies
	appends   map[int]bool  // terms in which it received AppendEntries
}

// puppetVoteArgs is what a puppet reads of a RequestVote.
type puppetVoteArgs struct{ Term int }

// puppetVoteReply is a puppet's answer to a RequestVote, in every spelling
// of the vote the harness accepts.
type puppetVoteReply struct {
	Term                       int
	VoteGranted, Granted, Vote bool
}

// puppetAppendArgs is what a puppet reads of an AppendEntries.
type puppetAppendArgs struct{ Term int }

// puppetAppendReply is a puppet's answer to an AppendEntries: always a
// refusal, in every spelling of Success the harness accepts.
type puppetAppendReply struct {
	Term                   int
	Success, Succeeded, Ok bool
}

// New returns a puppet for server me that claims term.
func New(me, term int) *Puppet {
	return &Puppet{Me: me, term: term, release: make(chan struct{}), appends: map[int]bool{}}
}

// HoldNextVote makes each puppet grant its vote in the first election after
// term that it is asked to vote in, and hold the reply until releaseVotes.
func HoldNextVote(ps []*Puppet, term int) {
	for _, p := range ps {
		p.mu.Lock()
		p.holdAfter, p.holdTerm, p.held, p.release = term, 0, 0, make(chan struct{})
		p.mu.Unlock()
	}
}

// ReleaseVotes sends every held reply.
func ReleaseVotes(ps []*Puppet) {
	for _, p := range ps {
		p.mu.Lock()
		closeOnce(p.release)
		p.mu.Unlock()
	}
}

// HeldTerm returns the term whose votes the puppet holds, 0 if none yet.
func (p *Puppet) HeldTerm() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.held == 0 {
		return 0
	}
	return p.holdTerm
}

// SawAppend reports whether the puppet received an AppendEntries of term.
func (p *Puppet) SawAppend(term int) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.appends[term]
}

// RequestVote grants the held election's vote late and refuses every other.
func (p *Puppet) RequestVote(args *puppetVoteArgs, reply *puppetVoteReply) {
	p.mu.Lock()
	if p.holdAfter > 0 && args.Term > p.holdAfter && args.Term >= p.term {
		p.holdAfter, p.holdTerm = 0, args.Term
	}
	if args.Term == p.holdTerm {
		p.held++
		p.term = max(p.term, args.Term)
		release := p.release
		p.mu.Unlock()
		select {
		case <-release:
		case <-time.After(5 * time.Second): // never hold a server's goroutine for ever
		}
		reply.Term = args.Term
		reply.VoteGranted, reply.Granted, reply.Vote = true, true, true
		return
	}
	p.term = max(p.term, args.Term)
	reply.Term = p.term
	p.mu.Unlock()
}

// AppendEntries refuses, with the puppet's term, and records the term.
func (p *Puppet) AppendEntries(args *puppetAppendArgs, reply *puppetAppendReply) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.appends[args.Term] = true
	p.term = max(p.term, args.Term)
	reply.Term = p.term
}

// String names the puppet in failures.
func (p *Puppet) String() string { return fmt.Sprintf("s%d (answered by the test)", p.Me) }

// unsignedPuppet is a puppet for a server whose terms are unsigned.
type unsignedPuppet struct{ p *Puppet }

type (
	puppetVoteArgsUnsigned  struct{ Term uint64 }
	puppetVoteReplyUnsigned struct {
		Term                       uint64
		VoteGranted, Granted, Vote bool
	}
	puppetAppendArgsUnsigned  struct{ Term uint64 }
	puppetAppendReplyUnsigned struct {
		Term                   uint64
		Success, Succeeded, Ok bool
	}
)

// RequestVote is the puppet's RequestVote, in unsigned terms.
func (u unsignedPuppet) RequestVote(args *puppetVoteArgsUnsigned, reply *puppetVoteReplyUnsigned) {
	var r puppetVoteReply
	u.p.RequestVote(&puppetVoteArgs{Term: int(args.Term)}, &r)
	*reply = puppetVoteReplyUnsigned{uint64(r.Term), r.VoteGranted, r.Granted, r.Vote}
}

// AppendEntries is the puppet's AppendEntries, in unsigned terms.
func (u unsignedPuppet) AppendEntries(args *puppetAppendArgsUnsigned, reply *puppetAppendReplyUnsigned) {
	var r puppetAppendReply
	u.p.AppendEntries(&puppetAppendArgs{Term: int(args.Term)}, &r)
	*reply = puppetAppendReplyUnsigned{uint64(r.Term), r.Success, r.Succeeded, r.Ok}
}

// closeOnce closes ch, a channel that releases held replies, unless it is
// closed already.
func closeOnce(ch chan struct{}) {
	select {
	case <-ch:
	default:
		close(ch)
	}
}

// Service returns the receiver a server's network sends p's RPCs to: p,
// or p in unsigned terms for a server whose terms are unsigned.
func (p *Puppet) Service(unsigned bool) any {
	if unsigned {
		return unsignedPuppet{p}
	}
	return p
}
