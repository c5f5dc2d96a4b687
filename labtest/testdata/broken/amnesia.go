package broken

import (
	"bytes"
	"math/rand"
	"sync"
	"sync/atomic"
	"time"

	"raftlabs/labgob"
	"raftlabs/labrpc"
	"raftlabs/raftapi"
)

// Forget is what an Amnesiac leaves out of what it saves; the zero value
// saves everything.
type Forget struct {
	Term, Vote, Log bool
	// Scribble: once killed, a goroutine overwrites the saved state with
	// bytes readPersist cannot decode, as a dying server's late write.
	Scribble bool
}

// Amnesiac is a small leader election with a log that only the tests'
// own AppendEntries fill, and persistence of currentTerm, votedFor and the
// log, minus what its Forget names. It is for the lab 3 verdicts: the
// scenarios that crash it must name the field it forgot.
type Amnesiac struct {
	forget    Forget
	mu        sync.Mutex
	peers     []*labrpc.ClientEnd
	me        int
	persister *raftapi.Persister
	dead      atomic.Bool
	rng       *rand.Rand
	term      int
	votedFor  int
	log       []Entry // log[0] is a dummy
	leader    bool
	heard     time.Time
}

// Entry is an Amnesiac's log entry.
type Entry struct {
	Term    int
	Command any
}

// RequestVoteArgs and the rest are an Amnesiac's RPCs, in Figure 2's names.
type RequestVoteArgs struct{ Term, CandidateId, LastLogIndex, LastLogTerm int }
type RequestVoteReply struct {
	Term        int
	VoteGranted bool
}
type AppendEntriesArgs struct {
	Term, LeaderId, PrevLogIndex, PrevLogTerm int
	Entries                                   []Entry
	LeaderCommit                              int
}
type AppendEntriesReply struct {
	Term    int
	Success bool
}

// MakeAmnesiac returns a Make for Amnesiac servers that forget what f names.
func MakeAmnesiac(f Forget) func([]*labrpc.ClientEnd, int, *raftapi.Persister, chan raftapi.ApplyMsg) *Amnesiac {
	return func(peers []*labrpc.ClientEnd, me int, p *raftapi.Persister, _ chan raftapi.ApplyMsg) *Amnesiac {
		rf := &Amnesiac{forget: f, peers: peers, me: me, persister: p, votedFor: -1, log: []Entry{{}}, heard: time.Now()}
		rf.rng = rand.New(rand.NewSource(time.Now().UnixNano()))
		rf.readPersist(p.ReadRaftState())
		go rf.ticker()
		return rf
	}
}

// persist saves the state, with what it forgets zeroed. Hold rf.mu.
func (rf *Amnesiac) persist() {
	term, vote, log := rf.term, rf.votedFor, rf.log
	if rf.forget.Term {
		term = 0
	}
	if rf.forget.Vote {
		vote = -1
	}
	if rf.forget.Log {
		log = []Entry{{}}
	}
	w := new(bytes.Buffer)
	e := labgob.NewEncoder(w)
	e.Encode(term)
	e.Encode(vote)
	e.Encode(log)
	rf.persister.Save(w.Bytes(), nil)
}

func (rf *Amnesiac) readPersist(data []byte) {
	if len(data) == 0 {
		return
	}
	d := labgob.NewDecoder(bytes.NewBuffer(data))
	var term, vote int
	var log []Entry
	if d.Decode(&term) != nil || d.Decode(&vote) != nil || d.Decode(&log) != nil {
		panic("readPersist: cannot decode the saved state")
	}
	rf.term, rf.votedFor, rf.log = term, vote, log
}

func (rf *Amnesiac) GetState() (int, bool) {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	return rf.term, rf.leader
}

func (rf *Amnesiac) Start(any) (int, int, bool) { return -1, -1, false }
func (rf *Amnesiac) Snapshot(int, []byte)       {}
func (rf *Amnesiac) Kill() {
	rf.dead.Store(true)
	if rf.forget.Scribble {
		go func() {
			time.Sleep(time.Millisecond)
			rf.persister.Save([]byte("not gob"), nil)
		}()
	}
}

// seeTerm adopts a newer term. Hold rf.mu.
func (rf *Amnesiac) seeTerm(term int) {
	if term > rf.term {
		rf.term, rf.votedFor, rf.leader = term, -1, false
		rf.persist()
	}
}

func (rf *Amnesiac) RequestVote(args *RequestVoteArgs, reply *RequestVoteReply) {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	rf.seeTerm(args.Term)
	last := len(rf.log) - 1
	upToDate := args.LastLogTerm > rf.log[last].Term || args.LastLogTerm == rf.log[last].Term && args.LastLogIndex >= last
	if args.Term == rf.term && (rf.votedFor == -1 || rf.votedFor == args.CandidateId) && upToDate {
		rf.votedFor = args.CandidateId
		rf.persist()
		rf.heard = time.Now()
		reply.VoteGranted = true
	}
	reply.Term = rf.term
}

func (rf *Amnesiac) AppendEntries(args *AppendEntriesArgs, reply *AppendEntriesReply) {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	rf.seeTerm(args.Term)
	reply.Term = rf.term
	if args.Term < rf.term {
		return
	}
	rf.heard = time.Now()
	if args.PrevLogIndex >= len(rf.log) || rf.log[args.PrevLogIndex].Term != args.PrevLogTerm {
		return
	}
	if len(args.Entries) > 0 {
		rf.log = append(rf.log[:args.PrevLogIndex+1], args.Entries...)
		rf.persist()
	}
	reply.Success = true
}

func (rf *Amnesiac) ticker() {
	for !rf.dead.Load() {
		rf.mu.Lock()
		timeout := time.Duration(300+rf.rng.Intn(300)) * time.Millisecond
		switch {
		case rf.leader:
			go rf.heartbeats(rf.term)
		case time.Since(rf.heard) > timeout:
			rf.term++
			rf.votedFor = rf.me
			rf.persist()
			rf.heard = time.Now()
			last := len(rf.log) - 1
			go rf.campaign(&RequestVoteArgs{Term: rf.term, CandidateId: rf.me, LastLogIndex: last, LastLogTerm: rf.log[last].Term})
		}
		rf.mu.Unlock()
		time.Sleep(100 * time.Millisecond)
	}
}

func (rf *Amnesiac) campaign(args *RequestVoteArgs) {
	var votes atomic.Int32
	votes.Add(1)
	for i := range rf.peers {
		if i == rf.me {
			continue
		}
		go func() {
			var reply RequestVoteReply
			if !rf.peers[i].Call("Amnesiac.RequestVote", args, &reply) {
				return
			}
			rf.mu.Lock()
			defer rf.mu.Unlock()
			rf.seeTerm(reply.Term)
			if reply.VoteGranted && int(votes.Add(1)) > len(rf.peers)/2 && rf.term == args.Term && !rf.leader {
				rf.leader = true
				go rf.heartbeats(args.Term)
			}
		}()
	}
}

func (rf *Amnesiac) heartbeats(term int) {
	for i := range rf.peers {
		if i == rf.me {
			continue
		}
		go func() {
			var reply AppendEntriesReply
			if rf.peers[i].Call("Amnesiac.AppendEntries", &AppendEntriesArgs{Term: term, LeaderId: rf.me}, &reply) {
				rf.mu.Lock()
				rf.seeTerm(reply.Term)
				rf.mu.Unlock()
			}
		}()
	}
}
