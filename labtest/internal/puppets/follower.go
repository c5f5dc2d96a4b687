package puppets

import (
	"sync"
	"time"
)

// A Follower is a puppet that also plays a follower whose log is the
// leader's: it accepts every AppendEntries of its term or a later one, and
// refuses an older one with its term, as a server holding the leader's
// entries does. It records the prevLogIndex of every AppendEntries it
// receives, and it can hold the AppendEntries it receives, as a network
// holds a request back, answering each when the test releases it as the
// server would answer it then. Its votes are its puppet's.
type Follower struct {
	*Puppet

	mu       sync.Mutex
	lowest   map[int]int           // term -> the lowest prevLogIndex received in it
	holding  bool                  // hold each AppendEntries until its term's release
	released map[int]chan struct{} // term -> closed when that term's held requests may be answered
	held     map[int]int           // term -> requests being held
}

// followerPuppetArgs is what a follower puppet reads of an AppendEntries.
type followerPuppetArgs struct {
	Term         int
	PrevLogIndex int
}

// followerPuppetArgsUnsigned is followerPuppetArgs for a server whose terms
// are unsigned (its indexes are ints).
type followerPuppetArgsUnsigned struct {
	Term         uint64
	PrevLogIndex int
}

// NewFollower returns p playing a follower.
func NewFollower(p *Puppet) *Follower {
	return &Follower{Puppet: p, lowest: map[int]int{}, released: map[int]chan struct{}{}, held: map[int]int{}}
}

// Hold makes the puppet hold every AppendEntries it receives from now on,
// until ReleaseTerm releases those of its term.
func (f *Follower) Hold() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.holding = true
}

// ReleaseTerm answers the held AppendEntries of term, and those of term
// that arrive later at once.
func (f *Follower) ReleaseTerm(term int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	closeOnce(f.releaseLocked(term))
}

// ReleaseAll stops holding, and answers every held AppendEntries.
func (f *Follower) ReleaseAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.holding = false
	for _, ch := range f.released {
		closeOnce(ch)
	}
}

func (f *Follower) releaseLocked(term int) chan struct{} {
	ch, ok := f.released[term]
	if !ok {
		ch = make(chan struct{})
		f.released[term] = ch
	}
	return ch
}

// HeldIn returns how many AppendEntries of term the puppet is holding.
func (f *Follower) HeldIn(term int) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.held[term]
}

// LowestPrev returns the lowest prevLogIndex of the AppendEntries of term
// the puppet received, and whether it received any.
func (f *Follower) LowestPrev(term int) (int, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, ok := f.lowest[term]
	return n, ok
}

// ForgetPrev forgets the lowest prevLogIndex received in term, so that
// LowestPrev reports only the requests that come after.
func (f *Follower) ForgetPrev(term int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.lowest, term)
}

// AppendEntries records the request, holds it if asked to, and answers it
// as a follower with the leader's log would when it is let through.
func (f *Follower) AppendEntries(args *followerPuppetArgs, reply *puppetAppendReply) {
	f.mu.Lock()
	if low, ok := f.lowest[args.Term]; !ok || args.PrevLogIndex < low {
		f.lowest[args.Term] = args.PrevLogIndex
	}
	if f.holding {
		ch := f.releaseLocked(args.Term)
		f.held[args.Term]++
		f.mu.Unlock()
		select {
		case <-ch:
		case <-time.After(5 * time.Second): // never hold a server's goroutine for ever
		}
		f.mu.Lock()
		f.held[args.Term]--
	}
	f.mu.Unlock()

	p := f.Puppet
	p.mu.Lock()
	defer p.mu.Unlock()
	p.appends[args.Term] = true
	ok := args.Term >= p.term
	p.term = max(p.term, args.Term)
	reply.Term = p.term
	reply.Success, reply.Succeeded, reply.Ok = ok, ok, ok
}

// unsignedFollowerPuppet is a follower puppet for a server whose terms are
// unsigned.
type unsignedFollowerPuppet struct{ f *Follower }

// RequestVote is the puppet's RequestVote, in unsigned terms.
func (u unsignedFollowerPuppet) RequestVote(args *puppetVoteArgsUnsigned, reply *puppetVoteReplyUnsigned) {
	unsignedPuppet{u.f.Puppet}.RequestVote(args, reply)
}

// AppendEntries is the follower puppet's AppendEntries, in unsigned terms.
func (u unsignedFollowerPuppet) AppendEntries(args *followerPuppetArgsUnsigned, reply *puppetAppendReplyUnsigned) {
	var r puppetAppendReply
	u.f.AppendEntries(&followerPuppetArgs{Term: int(args.Term), PrevLogIndex: args.PrevLogIndex}, &r)
	*reply = puppetAppendReplyUnsigned{uint64(r.Term), r.Success, r.Succeeded, r.Ok}
}

// Service returns the receiver a server's network sends f's RPCs to: f, or
// f in unsigned terms for a server whose terms are unsigned.
func (f *Follower) Service(unsigned bool) any {
	if unsigned {
		return unsignedFollowerPuppet{f}
	}
	return f
}
