package broken

import (
	"math/rand"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"raftlabs/labrpc"
	"raftlabs/raftapi"
)

// Flaws are the mistakes a Flawed Raft makes; the zero value makes none.
// Each is a classic student mistake whose verdict the harness must name.
type Flaws struct {
	// StaleDeadline: a leader that learns of a newer term steps down but
	// keeps the election deadline it had before it led, so it stands again
	// at once; and a heartbeat of a newer term does not reset the deadline.
	StaleDeadline bool
	// KeepVotedFor: votedFor is not reset when the term moves on.
	KeepVotedFor bool
	// StormOnHigherTerm: a leader ignores a higher term in a heartbeat's
	// reply and sends the refused heartbeat again at once, for ever.
	StormOnHigherTerm bool
	// BlockingStart: Start waits 300ms before it answers.
	BlockingStart bool
	// SleepWithLock: the ticker sleeps while holding rf.mu.
	SleepWithLock bool
	// RefusedVoteResetsTimer: a RequestVote of the current term resets the
	// election timer even when the vote is refused.
	RefusedVoteResetsTimer bool
	// HeartbeatVotersOnly: a leader sends heartbeats only to the servers
	// that voted for it, so one cut off during its election never hears
	// from it.
	HeartbeatVotersOnly bool
	// WaitsOutside: the ticker reads from a pipe nobody writes to, a wait
	// outside the test (a system call the virtual clock cannot see past).
	WaitsOutside bool
}

// Flawed is a small leader election (lab 1 only) that makes the mistakes
// its Flaws name and is otherwise correct.
type Flawed struct {
	flaws    Flaws
	mu       sync.Mutex
	peers    []*labrpc.ClientEnd
	me       int
	dead     atomic.Bool
	rng      *rand.Rand
	term     int
	votedFor int
	leader   bool
	deadline time.Time
	voters   map[int]bool // who voted for it in its latest election
}

// MakeFlawed returns a Make for Flawed servers with the given flaws.
func MakeFlawed(flaws Flaws) func([]*labrpc.ClientEnd, int, *raftapi.Persister, chan raftapi.ApplyMsg) *Flawed {
	return func(peers []*labrpc.ClientEnd, me int, _ *raftapi.Persister, _ chan raftapi.ApplyMsg) *Flawed {
		rf := &Flawed{flaws: flaws, peers: peers, me: me, votedFor: -1, rng: rand.New(rand.NewSource(int64(me) + 1))}
		rf.resetDeadline()
		go rf.ticker()
		return rf
	}
}

func (rf *Flawed) GetState() (int, bool) {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	return rf.term, rf.leader
}

func (rf *Flawed) Start(any) (int, int, bool) {
	rf.mu.Lock()
	term, leader := rf.term, rf.leader
	rf.mu.Unlock()
	if leader && rf.flaws.BlockingStart {
		time.Sleep(300 * time.Millisecond)
	}
	return 1, term, leader
}

func (rf *Flawed) Snapshot(int, []byte) {}
func (rf *Flawed) Kill()                { rf.dead.Store(true) }

// resetDeadline picks a new election deadline. Hold rf.mu.
func (rf *Flawed) resetDeadline() {
	timeout := time.Duration(300+rf.rng.Intn(300)) * time.Millisecond
	rf.deadline = time.Now().Add(timeout)
}

// seeTerm adopts a newer term. Hold rf.mu.
func (rf *Flawed) seeTerm(term int) {
	if term <= rf.term {
		return
	}
	if rf.leader && !rf.flaws.StaleDeadline {
		rf.resetDeadline()
	}
	rf.term, rf.leader = term, false
	if !rf.flaws.KeepVotedFor {
		rf.votedFor = -1
	}
}

func (rf *Flawed) RequestVote(args *VoteArgs, reply *VoteReply) {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	rf.seeTerm(args.Term)
	if args.Term == rf.term && (rf.votedFor == -1 || rf.votedFor == args.Candidate) {
		rf.votedFor = args.Candidate
		rf.resetDeadline()
		reply.Granted = true
	} else if args.Term == rf.term && rf.flaws.RefusedVoteResetsTimer {
		rf.resetDeadline()
	}
	reply.Term = rf.term
}

// HeartbeatReply is a Flawed heartbeat's reply.
type HeartbeatReply struct {
	Term    int
	Success bool
}

func (rf *Flawed) AppendEntries(args *BeatArgs, reply *HeartbeatReply) {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	current := args.Term == rf.term
	rf.seeTerm(args.Term)
	if args.Term == rf.term && (current || !rf.flaws.StaleDeadline) {
		rf.resetDeadline()
	}
	reply.Term, reply.Success = rf.term, args.Term == rf.term
}

func (rf *Flawed) ticker() {
	if rf.flaws.WaitsOutside {
		r, w, err := os.Pipe()
		if err == nil {
			defer w.Close()
			r.Read(make([]byte, 1))
		}
	}
	for !rf.dead.Load() {
		rf.mu.Lock()
		switch {
		case rf.leader:
			go rf.heartbeats(rf.term)
		case time.Now().After(rf.deadline):
			rf.term++
			rf.votedFor = rf.me
			rf.resetDeadline()
			go rf.campaign(rf.term)
		}
		if rf.flaws.SleepWithLock {
			time.Sleep(10 * time.Millisecond)
		}
		rf.mu.Unlock()
		time.Sleep(100 * time.Millisecond)
	}
}

func (rf *Flawed) campaign(term int) {
	votes := 1
	rf.mu.Lock()
	rf.voters = map[int]bool{}
	rf.mu.Unlock()
	for i := range rf.peers {
		if i == rf.me {
			continue
		}
		go func() {
			var reply VoteReply
			if !rf.peers[i].Call("Flawed.RequestVote", &VoteArgs{Term: term, Candidate: rf.me}, &reply) {
				return
			}
			rf.mu.Lock()
			defer rf.mu.Unlock()
			rf.seeTerm(reply.Term)
			if !reply.Granted || rf.term != term {
				return
			}
			rf.voters[i] = true
			if rf.leader {
				return
			}
			if votes++; votes > len(rf.peers)/2 {
				rf.leader = true
				go rf.heartbeats(term)
			}
		}()
	}
}

func (rf *Flawed) heartbeats(term int) {
	rf.mu.Lock()
	skip := map[int]bool{rf.me: true}
	for i := range rf.peers {
		skip[i] = skip[i] || rf.flaws.HeartbeatVotersOnly && !rf.voters[i]
	}
	rf.mu.Unlock()
	for i := range rf.peers {
		if skip[i] {
			continue
		}
		go func() {
			for !rf.dead.Load() {
				var reply HeartbeatReply
				if !rf.peers[i].Call("Flawed.AppendEntries", &BeatArgs{Term: term}, &reply) {
					return
				}
				if rf.flaws.StormOnHigherTerm && reply.Term > term {
					continue // ignore the news and try again at once
				}
				rf.mu.Lock()
				rf.seeTerm(reply.Term)
				rf.mu.Unlock()
				return
			}
		}()
	}
}
