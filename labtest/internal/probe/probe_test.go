package probe

import (
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Hand-written servers in the styles the probes must understand, and some
// they cannot.

// plain is Figure 2 to the letter, as the reference spells it.
type plain struct{}

type plainVoteArgs struct {
	Term, CandidateID, LastLogIndex, LastLogTerm int
}
type plainVoteReply struct {
	Term        int
	VoteGranted bool
}
type plainEntry struct {
	Term    int
	Command any
}
type plainAppendArgs struct {
	Term, LeaderId, PrevLogIndex, PrevLogTerm int
	Entries                                   []plainEntry
	LeaderCommit                              int
}
type plainAppendReply struct {
	Term    int
	Success bool
	XTerm   int
}

func (*plain) RequestVote(args *plainVoteArgs, reply *plainVoteReply)       {}
func (*plain) AppendEntries(args *plainAppendArgs, reply *plainAppendReply) {}

// wide declares terms uint64 and int32, entries that carry their Index, and
// spells names the other common ways; it takes its arguments by value.
type wide struct{}

type wideTerm uint64

type wideVoteArgs struct {
	Term         wideTerm
	CandidateIdx int32
	LastIndex    int64
	LastTerm     wideTerm
}
type wideVoteReply struct {
	Term    wideTerm
	Granted bool
}
type wideEntry struct {
	Index int64
	Term  uint64
	Cmd   interface{}
}
type wideAppendArgs struct {
	Term        int32
	LeaderID    uint8
	PrevIndex   uint64
	PrevTerm    uint64
	Logs        []*wideEntry
	CommitIndex uint64
}
type wideAppendReply struct {
	Term int32
	OK   bool
}

func (*wide) RequestVote(args wideVoteArgs, reply *wideVoteReply)       {}
func (*wide) AppendEntries(args wideAppendArgs, reply *wideAppendReply) {}

func TestProbeFigure2Names(t *testing.T) {
	h, err := FindHandler(reflect.TypeFor[*plain](), "RequestVote", VoteGrantedField)
	require.NoError(t, err)
	args, err := h.VoteArgs(VoteRequest{Term: 4, Candidate: 2, LastLogIndex: 7, LastLogTerm: 3})
	require.NoError(t, err)
	assert.Equal(t, &plainVoteArgs{Term: 4, CandidateID: 2, LastLogIndex: 7, LastLogTerm: 3}, args.Interface())
	assert.True(t, h.ArgsByPtr)
	assert.Equal(t, Reply{Term: 5, OK: true}, h.Read(reflect.ValueOf(&plainVoteReply{Term: 5, VoteGranted: true})))

	h, err = FindHandler(reflect.TypeFor[*plain](), "AppendEntries", SuccessField)
	require.NoError(t, err)
	args, err = h.AppendArgs(AppendRequest{Term: 4, Leader: 1, PrevLogIndex: 1, PrevLogTerm: 3,
		Entries: []LogEntry{{Index: 2, Term: 4, Command: "x"}}, LeaderCommit: 1})
	require.NoError(t, err)
	assert.Equal(t, &plainAppendArgs{Term: 4, LeaderId: 1, PrevLogIndex: 1, PrevLogTerm: 3,
		Entries: []plainEntry{{Term: 4, Command: "x"}}, LeaderCommit: 1}, args.Interface())
	assert.Equal(t, Reply{Term: 4}, h.Read(reflect.ValueOf(&plainAppendReply{Term: 4, XTerm: 9})))
}

func TestProbeOtherIntegersAndSpellings(t *testing.T) {
	h, err := FindHandler(reflect.TypeFor[*wide](), "RequestVote", VoteGrantedField)
	require.NoError(t, err)
	assert.False(t, h.ArgsByPtr)
	args, err := h.VoteArgs(VoteRequest{Term: 4, Candidate: 2, LastLogIndex: 1 << 20, LastLogTerm: 5})
	require.NoError(t, err)
	assert.Equal(t, &wideVoteArgs{Term: 4, CandidateIdx: 2, LastIndex: 1 << 20, LastTerm: 5}, args.Interface())
	assert.Equal(t, Reply{Term: 6, OK: true}, h.Read(reflect.ValueOf(&wideVoteReply{Term: 6, Granted: true})))

	h, err = FindHandler(reflect.TypeFor[*wide](), "AppendEntries", SuccessField)
	require.NoError(t, err)
	args, err = h.AppendArgs(AppendRequest{Term: 4, Leader: 1, PrevLogIndex: 1, PrevLogTerm: 3,
		Entries: []LogEntry{{Index: 2, Term: 4, Command: 42}, {Index: 3, Term: 4, Command: 43}}, LeaderCommit: 1})
	require.NoError(t, err)
	assert.Equal(t, &wideAppendArgs{Term: 4, LeaderID: 1, PrevIndex: 1, PrevTerm: 3,
		Logs: []*wideEntry{{Index: 2, Term: 4, Cmd: 42}, {Index: 3, Term: 4, Cmd: 43}}, CommitIndex: 1}, args.Interface())
	assert.Equal(t, Reply{Term: 7, OK: true}, h.Read(reflect.ValueOf(&wideAppendReply{Term: 7, OK: true})))
}

func TestProbeValueOutOfRange(t *testing.T) {
	h, err := FindHandler(reflect.TypeFor[*wide](), "RequestVote", VoteGrantedField)
	require.NoError(t, err)
	_, err = h.VoteArgs(VoteRequest{Term: -1})
	assert.EqualError(t, err, "RequestVote's argument type probe.wideVoteArgs's field Term is probe.wideTerm, which cannot hold -1")

	h, err = FindHandler(reflect.TypeFor[*wide](), "AppendEntries", SuccessField)
	require.NoError(t, err)
	_, err = h.AppendArgs(AppendRequest{Term: 1, Leader: 300})
	assert.EqualError(t, err, "AppendEntries's argument type probe.wideAppendArgs's field LeaderID is uint8, which cannot hold 300")
}

// Servers whose types the probes cannot understand, and what each must be
// told.

type noVoteField struct{}
type voteReplyWithoutFlag struct {
	Term  int
	Agree bool
}

func (*noVoteField) RequestVote(args *plainVoteArgs, reply *voteReplyWithoutFlag) {}

type stringTerm struct{}
type stringTermArgs struct {
	Term string
}

func (*stringTerm) RequestVote(args *stringTermArgs, reply *plainVoteReply) {}

type noTermReply struct{}
type replyWithoutTerm struct{ VoteGranted bool }

func (*noTermReply) RequestVote(args *plainVoteArgs, reply *replyWithoutTerm) {}

type intVote struct{}
type intVoteReply struct {
	Term        int
	VoteGranted int
}

func (*intVote) RequestVote(args *plainVoteArgs, reply *intVoteReply) {}

type hiddenEntries struct{}
type hiddenEntriesArgs struct {
	Term, PrevLogIndex, PrevLogTerm int
	entries                         []plainEntry
}

func (*hiddenEntries) AppendEntries(args *hiddenEntriesArgs, reply *plainAppendReply) {}

type byteEntries struct{}
type byteEntriesArgs struct {
	Term, PrevLogIndex, PrevLogTerm int
	Entries                         [][]byte
}

func (*byteEntries) AppendEntries(args *byteEntriesArgs, reply *plainAppendReply) {}

type noCommand struct{}
type entryWithoutCommand struct {
	Term int
	Op   string
}
type noCommandArgs struct {
	Term, PrevLogIndex, PrevLogTerm int
	Entries                         []entryWithoutCommand
}

func (*noCommand) AppendEntries(args *noCommandArgs, reply *plainAppendReply) {}

type stringCommand struct{}
type entryWithStringCommand struct {
	Term    int
	Command string
}
type stringCommandArgs struct {
	Term, PrevLogIndex, PrevLogTerm int
	Entries                         []entryWithStringCommand
}

func (*stringCommand) AppendEntries(args *stringCommandArgs, reply *plainAppendReply) {}

type wrongShape struct{}

func (*wrongShape) RequestVote(args *plainVoteArgs) *plainVoteReply { return nil }

type noPrevIndex struct{}
type noPrevIndexArgs struct {
	Term    int
	Entries []plainEntry
}

func (*noPrevIndex) AppendEntries(args *noPrevIndexArgs, reply *plainAppendReply) {}

func TestProbeExplainsWhatItCannotUse(t *testing.T) {
	tests := []struct {
		name   string
		server reflect.Type
		method string
		want   string
	}{
		{"no vote field", reflect.TypeFor[*noVoteField](), "RequestVote",
			"RequestVote's reply type probe.voteReplyWithoutFlag has no field named VoteGranted (or Granted, Vote): " + rule},
		{"vote is an int", reflect.TypeFor[*intVote](), "RequestVote",
			"RequestVote's reply type probe.intVoteReply's field VoteGranted is int, not a bool: " + rule},
		{"no term in the reply", reflect.TypeFor[*noTermReply](), "RequestVote",
			"RequestVote's reply type probe.replyWithoutTerm has no field named Term: " + rule},
		{"term is a string", reflect.TypeFor[*stringTerm](), "RequestVote",
			"RequestVote's argument type probe.stringTermArgs's field Term is string, not an integer: " + rule},
		{"no such handler", reflect.TypeFor[*plain](), "InstallSnapshot",
			"*probe.plain has no method InstallSnapshot: the tests send some RPCs of their own, named as in Figure 2, " +
				"so keep the handler's name InstallSnapshot; see docs/from-mit.md"},
		{"not a handler", reflect.TypeFor[*wrongShape](), "RequestVote",
			"RequestVote has type func(*probe.wrongShape, *probe.plainVoteArgs) *probe.plainVoteReply, " +
				"but an RPC handler takes (args, *reply) and returns nothing; see docs/from-mit.md"},
		{"entries not exported", reflect.TypeFor[*hiddenEntries](), "AppendEntries",
			"AppendEntries's argument type probe.hiddenEntriesArgs's field entries is not exported (gob sends only " +
				"fields whose names start with an upper-case letter): " + rule},
		{"entries are bytes", reflect.TypeFor[*byteEntries](), "AppendEntries",
			"AppendEntries's argument type probe.byteEntriesArgs's field Entries is [][]uint8: the tests need log " +
				"entries that are structs with a Term and a Command: " + rule},
		{"entry without a command", reflect.TypeFor[*noCommand](), "AppendEntries",
			"AppendEntries's log entry type probe.entryWithoutCommand has no field named Command (or Cmd): " + rule},
		{"command is a string", reflect.TypeFor[*stringCommand](), "AppendEntries",
			"AppendEntries's log entry type probe.entryWithStringCommand's field Command is string, which cannot hold " +
				"the test's command 7 (of type int): declare it `any`, as commands are whatever the service passes to Start; " +
				"see docs/from-mit.md"},
		{"no PrevLogIndex", reflect.TypeFor[*noPrevIndex](), "AppendEntries",
			"AppendEntries's argument type probe.noPrevIndexArgs has no field named PrevLogIndex (or PrevLogIdx, PrevIndex, PrevIdx): " + rule},
		{"a candidate field of a name no one knows", reflect.TypeFor[*oddCandidate](), "RequestVote",
			"RequestVote's argument type probe.oddCandidateArgs has no field the tests recognise as the candidate's id: " +
				"they looked for CandidateId, CandidateIdx, CandidateIndex, Candidate, CandidateMe, CandId, From, Sender, " +
				"Src, Me, Id, ServerId, PeerId, and it has Requester, which they do not know. The tests send RPCs of " +
				"their own and fill each field by its name: rename the field to one of those (docs/from-mit.md lists them)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.EqualError(t, understand(tt.server, tt.method), tt.want)
		})
	}
}

// understand does all a probe does with a server's types short of sending:
// find the handler and build its arguments.
func understand(server reflect.Type, method string) error {
	flag := VoteGrantedField
	if method == "AppendEntries" {
		flag = SuccessField
	}
	h, err := FindHandler(server, method, flag)
	if err != nil {
		return err
	}
	if method == "AppendEntries" {
		_, err = h.AppendArgs(AppendRequest{Term: 3, PrevLogIndex: 1, PrevLogTerm: 2,
			Entries: []LogEntry{{Index: 2, Term: 3, Command: 7}}})
		return err
	}
	_, err = h.VoteArgs(VoteRequest{Term: 3, Candidate: 1, LastLogIndex: 1, LastLogTerm: 2})
	return err
}

// fromField names the candidate From, as some MIT students do.
type fromField struct{}
type fromVoteArgs struct {
	Term, From, LastLogIndex, LastLogTerm int
}

func (*fromField) RequestVote(args *fromVoteArgs, reply *plainVoteReply) {}

// electionOnly is a lab 1 Raft whose RequestVote has no log fields yet.
type electionOnly struct{}
type electionOnlyArgs struct{ Term, CandidateId int }

func (*electionOnly) RequestVote(args *electionOnlyArgs, reply *plainVoteReply) {}

// oddCandidate names its candidate in a way the probes cannot guess: it
// must be told, never sent a vote request from s0.
type oddCandidate struct{}
type oddCandidateArgs struct {
	Term, Requester, LastLogIndex, LastLogTerm int
}

func (*oddCandidate) RequestVote(args *oddCandidateArgs, reply *plainVoteReply) {}

func TestProbeFillsEveryFieldOrSaysWhy(t *testing.T) {
	h, err := FindHandler(reflect.TypeFor[*fromField](), "RequestVote", VoteGrantedField)
	require.NoError(t, err)
	args, err := h.VoteArgs(VoteRequest{Term: 4, Candidate: 2, LastLogIndex: 7, LastLogTerm: 3})
	require.NoError(t, err)
	assert.Equal(t, &fromVoteArgs{Term: 4, From: 2, LastLogIndex: 7, LastLogTerm: 3}, args.Interface())

	// Fields a Raft does not have yet are left out.
	h, err = FindHandler(reflect.TypeFor[*electionOnly](), "RequestVote", VoteGrantedField)
	require.NoError(t, err)
	args, err = h.VoteArgs(VoteRequest{Term: 4, Candidate: 2, LastLogIndex: 1 << 20, LastLogTerm: 4})
	require.NoError(t, err)
	assert.Equal(t, &electionOnlyArgs{Term: 4, CandidateId: 2}, args.Interface())

	// A field under an unknown name is not silently left 0 (the candidate
	// s0): the test stops and names it (TestProbeExplainsWhatItCannotUse).
	// A candidate that is s0 needs no field: 0 is what it would be.
	h, err = FindHandler(reflect.TypeFor[*oddCandidate](), "RequestVote", VoteGrantedField)
	require.NoError(t, err)
	_, err = h.VoteArgs(VoteRequest{Term: 4, Candidate: 0, LastLogIndex: 7, LastLogTerm: 3})
	assert.NoError(t, err)
}

// replyRPCs answers RequestVote with an RPC of its own.
type replyRPCs struct{}

func (*replyRPCs) RequestVote(args *plainVoteArgs, reply *plainVoteReply)              {}
func (*replyRPCs) RequestVoteReply(args *plainVoteReply, reply *struct{})              {}
func (*replyRPCs) HandleAppendEntriesResponse(args *plainAppendReply, reply *struct{}) {}
func (*replyRPCs) Kill()                                                               {}

func TestReplyMethods(t *testing.T) {
	assert.Equal(t, []string{"HandleAppendEntriesResponse", "RequestVoteReply"}, replyMethods(reflect.TypeFor[*replyRPCs]()))
	assert.Empty(t, replyMethods(reflect.TypeFor[*plain]()))
	assert.Contains(t, AnswersByRPC(&replyRPCs{}), "*probe.replyRPCs has HandleAppendEntriesResponse, "+
		"RequestVoteReply: it seems to answer with an RPC of its own")
	assert.Empty(t, AnswersByRPC(&plain{}))
	assert.Empty(t, AnswersByRPC(nil))
}
