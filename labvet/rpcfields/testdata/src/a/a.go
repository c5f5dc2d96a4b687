package a

import (
	"bytes"
	"time"

	"labgob"
	"labrpc"
)

type Raft struct {
	peers []*labrpc.ClientEnd
	term  int
	log   []LogEntry
}

// The classic mistakes.

type RequestVoteArgs struct {
	term        int // want `field RequestVoteArgs.term starts with a lower-case letter, so gob will not send or save it: RequestVoteArgs is sent by Call at a.go:\d+ \(capitalize the field: Term\)`
	CandidateID int
}

type RequestVoteReply struct {
	Term        int
	voteGranted bool // want `field RequestVoteReply.voteGranted starts with a lower-case letter`
}

type LogEntry struct {
	Term    int
	command any // want `field LogEntry.command starts with a lower-case letter, so gob will not send or save it: AppendEntriesArgs is sent by Call at a.go:\d+ \(reached through AppendEntriesArgs.Entries\)`
}

type AppendEntriesArgs struct {
	Term    int
	Entries []LogEntry
}

type AppendEntriesReply struct {
	Term    int
	Success bool
	Meta    map[string]*Conflict
}

type Conflict struct {
	index int // want `field Conflict.index starts with a lower-case letter.*\(reached through AppendEntriesReply.Meta\)`
}

func (rf *Raft) sendVote(i int) {
	args := RequestVoteArgs{CandidateID: 1}
	var reply RequestVoteReply
	rf.peers[i].Call("Raft.RequestVote", &args, &reply)
}

func (rf *Raft) sendEntries(i int, args *AppendEntriesArgs) {
	reply := &AppendEntriesReply{}
	rf.peers[i].Call("Raft.AppendEntries", args, reply)
}

// InstallSnapshot is an RPC handler: its types reach gob even before
// anything calls it.
func (rf *Raft) InstallSnapshot(args *InstallSnapshotArgs, reply *InstallSnapshotReply) {}

type InstallSnapshotArgs struct {
	Term             int
	lastIncludedTerm int // want `field InstallSnapshotArgs.lastIncludedTerm .* received by the RPC handler Raft.InstallSnapshot`
}

type InstallSnapshotReply struct{ Term int }

type persistent struct {
	CurrentTerm int
	votedFor    int // want `field persistent.votedFor starts with a lower-case letter, so gob will not send or save it: persistent is encoded by labgob at a.go:\d+`
}

func (rf *Raft) persist() {
	w := new(bytes.Buffer)
	e := labgob.NewEncoder(w)
	e.Encode(persistent{CurrentTerm: rf.term})
}

// The tricky negatives.

// The Raft's own fields are lower-case and never sent: encoding a field
// is fine, and so are the RPC methods' own unexported helpers.
func (rf *Raft) persistFields() {
	w := new(bytes.Buffer)
	e := labgob.NewEncoder(w)
	e.Encode(rf.term)
	e.Encode(rf.log) // LogEntry.command is reported once, above
	var at stamped
	e.Encode(at)
}

// stamped holds a time.Time, whose fields are another package's business:
// it encodes itself.
type stamped struct {
	At time.Time
}

// GetState is not an RPC handler: it has results.
func (rf *Raft) GetState(args *InstallSnapshotArgs, reply *notSent) int { return 0 }

type notSent struct{ term int }

// Snapshot is not an RPC handler: its parameters are not pointers to structs.
func (rf *Raft) Snapshot(index int, snapshot []byte) {}

// selfEncoded encodes itself, so gob never looks at its fields.
type selfEncoded struct{ hidden int }

func (s selfEncoded) GobEncode() ([]byte, error) { return nil, nil }

func (rf *Raft) sendSelfEncoded() {
	rf.peers[0].Call("Raft.Ping", &selfEncoded{}, &InstallSnapshotReply{})
}
