package labtest

import (
	"fmt"
	"reflect"
	"sync"
	"time"

	"raftlabs/labrpc"
	"raftlabs/labtest/internal/probe"
)

// A puppet stands in for a crashed server, under its name, and answers
// another server's RequestVote and AppendEntries as the test scripts: it can
// grant a vote and hold the reply back until the test releases it, which no
// network fault can be relied on to do. Scenarios use puppets to deliver a
// reply from an older term exactly when it tests a rule.
//
// Its messages are read and answered by Figure 2's field names, in the
// common spellings; the caller's own reply type receives the fields it has.
type puppet struct {
	c  *Cluster
	me int

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

// puppets crashes the given servers and puts a puppet in the place of each,
// reachable from server to only. term is the term the puppets claim: any
// message from an older term is refused with it.
func (c *Cluster) puppets(to, term int, servers ...int) []*puppet {
	c.t.Helper()
	return c.puppetsServing(to, term, puppetService, servers...)
}

// puppetService is what a puppet serves by default: itself, in the server's
// signedness of terms.
func puppetService(p *puppet, unsigned bool) any {
	if unsigned {
		return unsignedPuppet{p}
	}
	return p
}

// puppetsServing is puppets, each puppet answering through the receiver
// serve returns for it (a puppet that plays more of a server's part).
func (c *Cluster) puppetsServing(to, term int, serve func(p *puppet, unsigned bool) any, servers ...int) []*puppet {
	c.t.Helper()
	rf := c.raft(to)
	if rf == nil {
		c.Fatalf("puppets: s%d is crashed", to)
	}
	service := reflect.TypeOf(rf).Elem().Name()
	unsigned := c.unsignedTerms(to)
	for _, i := range servers {
		c.Crash(i) // each crash relinks the network, so all go first
	}
	var ps []*puppet
	for _, i := range servers {
		p := &puppet{c: c, me: i, term: term, release: make(chan struct{}), appends: map[int]bool{}}
		srv := labrpc.NewServer()
		srv.AddService(labrpc.NewNamedService(service, serve(p, unsigned)))
		c.net.AddServer(serverName(i), srv)
		c.mu.Lock()
		end := c.endNames[to][i]
		c.mu.Unlock()
		c.net.Enable(end, true)
		ps = append(ps, p)
	}
	return ps
}

// holdNextVote makes each puppet grant its vote in the first election after
// term that it is asked to vote in, and hold the reply until releaseVotes.
func holdNextVote(ps []*puppet, term int) {
	for _, p := range ps {
		p.mu.Lock()
		p.holdAfter, p.holdTerm, p.held, p.release = term, 0, 0, make(chan struct{})
		p.mu.Unlock()
	}
}

// releaseVotes sends every held reply.
func releaseVotes(ps []*puppet) {
	for _, p := range ps {
		p.mu.Lock()
		if !isClosed(p.release) {
			close(p.release)
		}
		p.mu.Unlock()
	}
}

// heldTerm returns the term whose votes the puppet holds, 0 if none yet.
func (p *puppet) heldTerm() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.held == 0 {
		return 0
	}
	return p.holdTerm
}

// sawAppend reports whether the puppet received an AppendEntries of term.
func (p *puppet) sawAppend(term int) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.appends[term]
}

// RequestVote grants the held election's vote late and refuses every other.
func (p *puppet) RequestVote(args *puppetVoteArgs, reply *puppetVoteReply) {
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
func (p *puppet) AppendEntries(args *puppetAppendArgs, reply *puppetAppendReply) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.appends[args.Term] = true
	p.term = max(p.term, args.Term)
	reply.Term = p.term
}

// String names the puppet in failures.
func (p *puppet) String() string { return fmt.Sprintf("s%d (answered by the test)", p.me) }

// unsignedTerms reports whether server i's RequestVote carries its term in
// an unsigned integer. gob carries a signed integer only into a signed
// field and an unsigned one only into an unsigned field, so a puppet
// talking to such a server must use unsigned terms too.
func (c *Cluster) unsignedTerms(i int) bool {
	c.t.Helper()
	h := c.handler(i, "RequestVote", probe.VoteGrantedField)
	term, err := probe.Lookup(h.Args, probe.TermField, "RequestVote's argument type")
	if err != nil {
		return false
	}
	switch term.Type.Kind() {
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return true
	}
	return false
}

// unsignedPuppet is a puppet for a server whose terms are unsigned.
type unsignedPuppet struct{ p *puppet }

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
