package broken

import (
	"math/rand"
	"sync"
	"sync/atomic"
	"time"

	"raftlabs/labrpc"
	"raftlabs/raftapi"
)

// Election is a minimal, correct leader election (lab 1 only).
type Election struct {
	mu       sync.Mutex
	peers    []*labrpc.ClientEnd
	me       int
	dead     atomic.Bool
	rng      *rand.Rand
	term     int
	votedFor int
	leader   bool
	heard    time.Time

	reuseReply bool // one heartbeat reply for every call of a round
}

// VoteArgs is a RequestVote request.
type VoteArgs struct{ Term, Candidate int }

// VoteReply is a RequestVote reply.
type VoteReply struct {
	Term    int
	Granted bool
}

// BeatArgs is a heartbeat.
type BeatArgs struct{ Term int }

// BeatReply is a heartbeat's reply.
type BeatReply struct{ Term int }

// MakeElection starts an Election server. Its random numbers are seeded
// from the clock, which is safe only because the harness staggers boots.
func MakeElection(peers []*labrpc.ClientEnd, me int, _ *raftapi.Persister, _ chan raftapi.ApplyMsg) *Election {
	return startElection(&Election{peers: peers, me: me})
}

// MakeReusedReply starts an Election server that sends a round of
// heartbeats one after the other, decoding every reply into the same
// variable: the second decodes into a reply that is not zero. labgob warns
// (a field a sender left zero would keep the first reply's value), but every
// reply here carries its Term, nothing is lost, and the warning must cost
// nothing.
func MakeReusedReply(peers []*labrpc.ClientEnd, me int, _ *raftapi.Persister, _ chan raftapi.ApplyMsg) *Election {
	return startElection(&Election{peers: peers, me: me, reuseReply: true})
}

func startElection(rf *Election) *Election {
	rf.votedFor, rf.heard = -1, time.Now()
	rf.rng = rand.New(rand.NewSource(time.Now().UnixNano()))
	go rf.ticker()
	return rf
}

func (rf *Election) GetState() (int, bool) {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	return rf.term, rf.leader
}

func (rf *Election) Start(any) (int, int, bool) { return -1, -1, false }
func (rf *Election) Snapshot(int, []byte)       {}
func (rf *Election) Kill()                      { rf.dead.Store(true) }

// seeTerm adopts a newer term. Hold rf.mu.
func (rf *Election) seeTerm(term int) {
	if term > rf.term {
		rf.term, rf.votedFor, rf.leader = term, -1, false
	}
}

func (rf *Election) RequestVote(args *VoteArgs, reply *VoteReply) {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	rf.seeTerm(args.Term)
	if args.Term == rf.term && (rf.votedFor == -1 || rf.votedFor == args.Candidate) {
		rf.votedFor = args.Candidate
		rf.heard = time.Now()
		reply.Granted = true
	}
	reply.Term = rf.term
}

func (rf *Election) Heartbeat(args *BeatArgs, reply *BeatReply) {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	rf.seeTerm(args.Term)
	if args.Term == rf.term {
		rf.heard = time.Now()
	}
	reply.Term = rf.term
}

func (rf *Election) ticker() {
	for !rf.dead.Load() {
		rf.mu.Lock()
		timeout := time.Duration(300+rf.rng.Intn(300)) * time.Millisecond
		switch {
		case rf.leader:
			go rf.broadcastHeartbeats(rf.term)
		case time.Since(rf.heard) > timeout:
			rf.term++
			rf.votedFor = rf.me
			rf.heard = time.Now()
			go rf.campaign(rf.term)
		}
		rf.mu.Unlock()
		time.Sleep(100 * time.Millisecond)
	}
}

func (rf *Election) campaign(term int) {
	var votes atomic.Int32
	votes.Add(1)
	for i := range rf.peers {
		if i == rf.me {
			continue
		}
		go func() {
			var reply VoteReply
			if !rf.peers[i].Call("Election.RequestVote", &VoteArgs{Term: term, Candidate: rf.me}, &reply) {
				return
			}
			rf.mu.Lock()
			defer rf.mu.Unlock()
			rf.seeTerm(reply.Term)
			if reply.Granted && int(votes.Add(1)) > len(rf.peers)/2 && rf.term == term && !rf.leader {
				rf.leader = true
				go rf.broadcastHeartbeats(term)
			}
		}()
	}
}

func (rf *Election) broadcastHeartbeats(term int) {
	if rf.reuseReply {
		var reply BeatReply
		for i := range rf.peers {
			if i != rf.me && rf.peers[i].Call("Election.Heartbeat", &BeatArgs{Term: term}, &reply) {
				rf.mu.Lock()
				rf.seeTerm(reply.Term)
				rf.mu.Unlock()
			}
		}
		return
	}
	for i := range rf.peers {
		if i == rf.me {
			continue
		}
		go func() {
			var reply BeatReply
			if rf.peers[i].Call("Election.Heartbeat", &BeatArgs{Term: term}, &reply) {
				rf.mu.Lock()
				rf.seeTerm(reply.Term)
				rf.mu.Unlock()
			}
		}()
	}
}
