package a

import (
	"bytes"

	"labgob"
	"labrpc"
)

type Args struct{ Term int }
type Reply struct {
	Term        int
	VoteGranted bool
}

type Raft struct {
	peers       []*labrpc.ClientEnd
	currentTerm int
	votedFor    int
}

// The classic mistakes.

func (rf *Raft) sameReplyEveryIteration() {
	var reply Reply
	for i := range rf.peers {
		rf.peers[i].Call("Raft.RequestVote", &Args{}, &reply) // want `reply is reused across calls as Call's reply: it is declared at a.go:\d+, outside the loop at a.go:\d+, so each Call decodes into the same Reply`
	}
}

func (rf *Raft) sharedByGoroutines() {
	reply := &Reply{}
	for i := range rf.peers {
		go func() {
			rf.peers[i].Call("Raft.RequestVote", &Args{}, reply) // want `reply is reused across calls as Call's reply: .*the goroutines the loop starts all share it, which is also a data race`
		}()
	}
}

func (rf *Raft) retrySameReply() {
	var reply Reply
	for !rf.peers[0].Call("Raft.RequestVote", &Args{}, &reply) { // want `reply is reused across calls as Call's reply`
	}
}

func (rf *Raft) nonZeroLiteral() {
	reply := Reply{Term: rf.currentTerm}
	rf.peers[0].Call("Raft.RequestVote", &Args{}, &reply)                    // want `reply is not zero when Call decodes into it \(declared with Term is set at a.go:\d+\): gob does not send zero values`
	rf.peers[0].Call("Raft.RequestVote", &Args{}, &Reply{VoteGranted: true}) // want `the Reply that Call decodes into is not zero \(VoteGranted is set\)`
}

func (rf *Raft) fieldSetBeforeCall() {
	reply := &Reply{}
	reply.Term = rf.currentTerm
	rf.peers[0].Call("Raft.RequestVote", &Args{}, reply) // want `reply is not zero when Call decodes into it \(reply.Term is set at a.go:\d+\)`
}

func (rf *Raft) readPersist(data []byte) {
	d := labgob.NewDecoder(bytes.NewBuffer(data))
	votedFor := -1
	d.Decode(&votedFor) // want `votedFor is not zero when Decode decodes into it \(declared as -1 at a.go:\d+\)`
}

// The tricky negatives.

func (rf *Raft) freshReplyEachTime() {
	for i := range rf.peers {
		var reply Reply
		rf.peers[i].Call("Raft.RequestVote", &Args{}, &reply)
		go func() {
			reply := &Reply{}
			rf.peers[i].Call("Raft.RequestVote", &Args{}, reply)
		}()
	}
}

func (rf *Raft) resetInTheLoop() {
	var reply Reply
	for i := range rf.peers {
		reply = Reply{}
		rf.peers[i].Call("Raft.RequestVote", &Args{}, &reply)
	}
}

func (rf *Raft) sendVote(i int, reply *Reply) bool {
	return rf.peers[i].Call("Raft.RequestVote", &Args{}, reply) // the caller's reply
}

func (rf *Raft) readPersistFresh(data []byte) {
	d := labgob.NewDecoder(bytes.NewBuffer(data))
	var currentTerm, votedFor int
	if d.Decode(&currentTerm) != nil || d.Decode(&votedFor) != nil {
		return
	}
	rf.currentTerm, rf.votedFor = currentTerm, votedFor
}

func (rf *Raft) fieldSetAfterCall() {
	reply := &Reply{}
	rf.peers[0].Call("Raft.RequestVote", &Args{}, reply)
	reply.Term = 0
}
