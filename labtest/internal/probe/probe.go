package probe

import (
	"fmt"
	"reflect"
	"strings"
)

// The harness can send a server RPCs of its own, as if from another server,
// to check a handler's rules directly where a scenario alone cannot reach
// them (a message that arrives late, say). Each message is built in the
// server's own types, found by reflection on its handler
//
//	func (rf *Raft) RequestVote(args *RequestVoteArgs, reply *RequestVoteReply)
//
// so an entry that carries its own Index gets one, and a term declared
// uint64 is sent as a uint64. The fields are found by Figure 2's names, in
// the common spellings listed below (letter case aside: CandidateId and
// CandidateID are one name). A type the harness cannot understand fails the
// test with the rule it needs, never with a Raft property the server did
// not break. docs/from-mit.md lists the names for students.

// A Field is one of Figure 2's fields and the names the harness accepts
// for it, Figure 2's own first.
type Field struct {
	what     string // what it holds, for a message: "the candidate's id"
	Names    []string
	required bool // the probe cannot do without it
	flag     bool // a bool rather than an integer
}

// The fields of the RPCs the harness sends. A field that is not required
// may be missing (a lab 1 RequestVote without the log's fields, an entry
// without an index), but not under a name the harness does not know: see
// setInt.
var (
	TermField         = Field{what: "the term", Names: []string{"Term"}, required: true}
	candidateField    = Field{what: "the candidate's id", Names: []string{"CandidateId", "CandidateIdx", "CandidateIndex", "Candidate", "CandidateMe", "CandId", "From", "Sender", "Src", "Me", "Id", "ServerId", "PeerId"}}
	lastLogIndexField = Field{what: "the candidate's last log index", Names: []string{"LastLogIndex", "LastLogIdx", "LastIndex", "LastIdx", "LastEntryIndex"}}
	lastLogTermField  = Field{what: "the candidate's last log term", Names: []string{"LastLogTerm", "LastTerm", "LastEntryTerm"}}
	leaderField       = Field{what: "the leader's id", Names: []string{"LeaderId", "LeaderIdx", "LeaderIndex", "Leader", "LeaderMe", "From", "Sender", "Src", "Me", "Id", "ServerId", "PeerId"}}
	PrevLogIndexField = Field{what: "the previous log index", Names: []string{"PrevLogIndex", "PrevLogIdx", "PrevIndex", "PrevIdx"}, required: true}
	prevLogTermField  = Field{what: "the previous log term", Names: []string{"PrevLogTerm", "PrevTerm"}, required: true}
	leaderCommitField = Field{what: "the leader's commit index", Names: []string{"LeaderCommit", "LeaderCommitIndex", "LeaderCommitIdx", "CommitIndex", "CommitIdx", "Commit"}}
	EntriesField      = Field{what: "the entries", Names: []string{"Entries", "Logs", "Log", "LogEntries"}, required: true}
	entryIndexField   = Field{what: "the entry's index", Names: []string{"Index", "Idx", "LogIndex"}}
	CommandField      = Field{what: "the command", Names: []string{"Command", "Cmd"}, required: true}
	VoteGrantedField  = Field{what: "the vote", Names: []string{"VoteGranted", "Granted", "Vote"}, required: true, flag: true}
	SuccessField      = Field{what: "the outcome", Names: []string{"Success", "Succeeded", "Ok"}, required: true, flag: true}

	// InstallSnapshot's (Figure 13), lab 4. Its reply has a term only.
	lastIncludedIndexField = Field{what: "the snapshot's last included index", Names: []string{"LastIncludedIndex", "LastIncludedIdx", "SnapshotIndex", "LastIndex"}, required: true}
	lastIncludedTermField  = Field{what: "the snapshot's last included term", Names: []string{"LastIncludedTerm", "SnapshotTerm", "LastTerm"}, required: true}
	snapshotDataField      = Field{what: "the snapshot", Names: []string{"Data", "Snapshot", "SnapshotData"}, required: true}
	NoFlag                 = Field{}

	// probeFields is every field above, for ProbeFieldNames and
	// unknownIntegers.
	probeFields = []Field{TermField, candidateField, lastLogIndexField, lastLogTermField, leaderField,
		PrevLogIndexField, prevLogTermField, leaderCommitField, EntriesField, entryIndexField, CommandField,
		VoteGrantedField, SuccessField, lastIncludedIndexField, lastIncludedTermField, snapshotDataField}
)

// describe names f for a message: "VoteGranted (or Granted, Vote)".
func (f Field) describe() string {
	if len(f.Names) == 1 {
		return f.Names[0]
	}
	return fmt.Sprintf("%s (or %s)", f.Names[0], strings.Join(f.Names[1:], ", "))
}

// rule is what every message about a type the harness cannot use ends with.
const rule = "the tests send RPCs of their own and need Figure 2's names; see docs/from-mit.md"

// A VoteRequest is a RequestVote's arguments, before they are put in the
// server's own type.
type VoteRequest struct {
	Term         int
	Candidate    int
	LastLogIndex int
	LastLogTerm  int
}

// An AppendRequest is an AppendEntries's arguments, before they are put in
// the server's own type.
type AppendRequest struct {
	Term         int
	Leader       int
	PrevLogIndex int
	PrevLogTerm  int
	Entries      []LogEntry
	LeaderCommit int
}

// A LogEntry is one entry of an AppendRequest. Index is sent only to a
// server whose entry type has an index field.
type LogEntry struct {
	Index   int
	Term    int
	Command any
}

// A SnapshotRequest is an InstallSnapshot's arguments (Figure 13), before
// they are put in the server's own type. The whole snapshot goes in one
// RPC: an Offset field, if the type has one, stays 0, and a Done field is
// set.
type SnapshotRequest struct {
	Term              int
	Leader            int
	LastIncludedIndex int
	LastIncludedTerm  int
	Data              []byte
}

// A Reply is what the harness reads of a reply: the term and the
// RPC's outcome (VoteGranted or Success).
type Reply struct {
	Term int
	OK   bool
}

// A Handler is an RPC handler's types, as the server declares them.
type Handler struct {
	Method     string
	Args       reflect.Type // a struct type
	ArgsByPtr  bool         // the handler takes *args
	ReplyType  reflect.Type // a struct type; the handler takes *reply
	replyTerm  []int        // the reply's Term field, as a field index
	replyFlag  []int        // the reply's VoteGranted or Success field
	FlagName   string       // that field's name in the server's type
	replyField Field        // which flag the reply carries
}

// FindHandler finds the handler method on the server type rcvr and
// checks that the harness can read its reply: a Term and the field flag.
func FindHandler(rcvr reflect.Type, method string, flag Field) (*Handler, error) {
	m, ok := rcvr.MethodByName(method)
	if !ok {
		return nil, fmt.Errorf("%v has no method %s: the tests send some RPCs of their own, named as in Figure 2, "+
			"so keep the handler's name %s; see docs/from-mit.md", rcvr, method, method)
	}
	ft := m.Type // the receiver is the first parameter
	if ft.NumIn() != 3 || ft.NumOut() != 0 {
		return nil, fmt.Errorf("%s has type %v, but an RPC handler takes (args, *reply) and returns nothing; see docs/from-mit.md",
			method, ft)
	}
	h := &Handler{Method: method, Args: ft.In(1), replyField: flag}
	if h.Args.Kind() == reflect.Pointer {
		h.Args, h.ArgsByPtr = h.Args.Elem(), true
	}
	if h.Args.Kind() != reflect.Struct {
		return nil, fmt.Errorf("%s's argument type is %v, not a struct: %s", method, ft.In(1), rule)
	}
	if r := ft.In(2); r.Kind() != reflect.Pointer || r.Elem().Kind() != reflect.Struct {
		return nil, fmt.Errorf("%s's reply type is %v, not a pointer to a struct: %s", method, r, rule)
	}
	h.ReplyType = ft.In(2).Elem()
	what := fmt.Sprintf("%s's reply type %v", method, h.ReplyType)
	term, err := Lookup(h.ReplyType, TermField, what)
	if err != nil {
		return nil, err
	}
	if err := wantInteger(term, what); err != nil {
		return nil, err
	}
	if len(flag.Names) == 0 {
		h.replyTerm = term.Index
		return h, nil // a reply with a term only (InstallSnapshot's)
	}
	flagField, err := Lookup(h.ReplyType, flag, what)
	if err != nil {
		return nil, err
	}
	if flagField.Type.Kind() != reflect.Bool {
		return nil, fmt.Errorf("%s's field %s is %v, not a bool: %s", what, flagField.Name, flagField.Type, rule)
	}
	h.replyTerm, h.replyFlag, h.FlagName = term.Index, flagField.Index, flagField.Name
	return h, nil
}

// Lookup finds the exported field of struct type t that f names. what
// names t in an error.
func Lookup(t reflect.Type, f Field, what string) (reflect.StructField, error) {
	var hidden string
	for _, name := range f.Names {
		for i := range t.NumField() {
			sf := t.Field(i)
			if !strings.EqualFold(sf.Name, name) {
				continue
			}
			if sf.IsExported() {
				return sf, nil
			}
			hidden = sf.Name
		}
	}
	if !f.required {
		return reflect.StructField{}, nil
	}
	if hidden != "" {
		return reflect.StructField{}, fmt.Errorf("%s's field %s is not exported (gob sends only fields whose names "+
			"start with an upper-case letter): %s", what, hidden, rule)
	}
	return reflect.StructField{}, fmt.Errorf("%s has no field named %s: %s", what, f.describe(), rule)
}

// wantInteger checks that a field found for an integer of Figure 2 is one.
func wantInteger(sf reflect.StructField, what string) error {
	switch sf.Type.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return nil
	}
	return fmt.Errorf("%s's field %s is %v, not an integer: %s", what, sf.Name, sf.Type, rule)
}

// setInt stores n in the integer field f of struct v, if f names one;
// what names v's type in an error. A field v's type lacks is left out,
// unless n is not 0 and the type has an integer field under a name the
// harness does not know, which might be the one meant: then sending the
// message without it could give the server a wrong value (a candidate's
// vote recorded for s0), so the test stops with the names it looked for.
func setInt(v reflect.Value, f Field, n int, what string) error {
	sf, err := Lookup(v.Type(), f, what)
	if err != nil {
		return err
	}
	if sf.Index == nil {
		if unknown := unknownIntegers(v.Type()); n != 0 && len(unknown) > 0 {
			return fmt.Errorf("%s has no field the tests recognise as %s: they looked for %s, and it has %s, "+
				"which they do not know. The tests send RPCs of their own and fill each field by its name: rename "+
				"the field to one of those (docs/from-mit.md lists them)",
				what, f.what, strings.Join(f.Names, ", "), strings.Join(unknown, ", "))
		}
		return nil
	}
	if err := wantInteger(sf, what); err != nil {
		return err
	}
	fv := v.FieldByIndex(sf.Index)
	if fv.CanInt() {
		if fv.OverflowInt(int64(n)) {
			return fmt.Errorf("%s's field %s is %v, too small to hold %d", what, sf.Name, sf.Type, n)
		}
		fv.SetInt(int64(n))
		return nil
	}
	if n < 0 || fv.OverflowUint(uint64(n)) {
		return fmt.Errorf("%s's field %s is %v, which cannot hold %d", what, sf.Name, sf.Type, n)
	}
	fv.SetUint(uint64(n))
	return nil
}

// unknownIntegers returns the exported integer fields of struct type t
// whose names are none the harness knows.
func unknownIntegers(t reflect.Type) []string {
	var unknown []string
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() || wantInteger(sf, "") != nil {
			continue
		}
		known := false
		for _, f := range probeFields {
			for _, name := range f.Names {
				known = known || strings.EqualFold(sf.Name, name)
			}
		}
		if !known {
			unknown = append(unknown, sf.Name)
		}
	}
	return unknown
}

// FieldNames returns, for the documentation, each field the tests'
// own RPCs fill and the names accepted for it, in order.
func FieldNames() map[string][]string {
	names := map[string][]string{}
	for _, f := range probeFields {
		names[f.what] = f.Names
	}
	return names
}

// readInt returns the integer in v, of any integer kind.
func readInt(v reflect.Value) int {
	if v.CanInt() {
		return int(v.Int())
	}
	return int(v.Uint())
}

// intValue is one integer field of an RPC's arguments, and its value.
type intValue struct {
	f Field
	n int
}

// newArgs returns a new value of the server's argument type, as a pointer,
// with the integer fields ints set; what names the type in errors.
func (h *Handler) newArgs(ints ...intValue) (p reflect.Value, what string, err error) {
	p = reflect.New(h.Args)
	what = fmt.Sprintf("%s's argument type %v", h.Method, h.Args)
	for _, set := range ints {
		if err := setInt(p.Elem(), set.f, set.n, what); err != nil {
			return reflect.Value{}, what, err
		}
	}
	return p, what, nil
}

// VoteArgs returns req in the server's own argument type, as a pointer.
func (h *Handler) VoteArgs(req VoteRequest) (reflect.Value, error) {
	p, _, err := h.newArgs(
		intValue{TermField, req.Term},
		intValue{candidateField, req.Candidate},
		intValue{lastLogIndexField, req.LastLogIndex},
		intValue{lastLogTermField, req.LastLogTerm},
	)
	return p, err
}

// AppendArgs returns req in the server's own argument type, as a pointer.
func (h *Handler) AppendArgs(req AppendRequest) (reflect.Value, error) {
	p, what, err := h.newArgs(
		intValue{TermField, req.Term},
		intValue{leaderField, req.Leader},
		intValue{PrevLogIndexField, req.PrevLogIndex},
		intValue{prevLogTermField, req.PrevLogTerm},
		intValue{leaderCommitField, req.LeaderCommit},
	)
	if err != nil {
		return reflect.Value{}, err
	}
	v := p.Elem()

	sf, err := Lookup(h.Args, EntriesField, what)
	if err != nil {
		return reflect.Value{}, err
	}
	if sf.Type.Kind() != reflect.Slice {
		return reflect.Value{}, fmt.Errorf("%s's field %s is %v, not a slice of log entries: %s", what, sf.Name, sf.Type, rule)
	}
	elem := sf.Type.Elem() // an entry, or a pointer to one
	entry := elem
	if entry.Kind() == reflect.Pointer {
		entry = entry.Elem()
	}
	if entry.Kind() != reflect.Struct {
		return reflect.Value{}, fmt.Errorf("%s's field %s is %v: the tests need log entries that are structs "+
			"with a Term and a Command: %s", what, sf.Name, sf.Type, rule)
	}
	entryWhat := fmt.Sprintf("%s's log entry type %v", h.Method, entry)
	entries := reflect.MakeSlice(sf.Type, 0, len(req.Entries))
	for _, e := range req.Entries {
		ep := reflect.New(entry)
		if err := setInt(ep.Elem(), TermField, e.Term, entryWhat); err != nil {
			return reflect.Value{}, err
		}
		if err := setInt(ep.Elem(), entryIndexField, e.Index, entryWhat); err != nil {
			return reflect.Value{}, err
		}
		if err := setCommand(ep.Elem(), e.Command, entryWhat); err != nil {
			return reflect.Value{}, err
		}
		if elem.Kind() == reflect.Pointer {
			entries = reflect.Append(entries, ep)
		} else {
			entries = reflect.Append(entries, ep.Elem())
		}
	}
	v.FieldByIndex(sf.Index).Set(entries)
	return p, nil
}

// SnapshotArgs returns req in the server's own argument type, as a pointer.
func (h *Handler) SnapshotArgs(req SnapshotRequest) (reflect.Value, error) {
	p, what, err := h.newArgs(
		intValue{TermField, req.Term},
		intValue{leaderField, req.Leader},
		intValue{lastIncludedIndexField, req.LastIncludedIndex},
		intValue{lastIncludedTermField, req.LastIncludedTerm},
	)
	if err != nil {
		return reflect.Value{}, err
	}
	v := p.Elem()
	sf, err := Lookup(h.Args, snapshotDataField, what)
	if err != nil {
		return reflect.Value{}, err
	}
	if sf.Type != reflect.TypeOf([]byte(nil)) {
		return reflect.Value{}, fmt.Errorf("%s's field %s is %v, not []byte: the snapshot is the service's bytes, "+
			"as Snapshot receives them: %s", what, sf.Name, sf.Type, rule)
	}
	v.FieldByIndex(sf.Index).SetBytes(req.Data)
	if done, ok := h.Args.FieldByName("Done"); ok && done.IsExported() && done.Type.Kind() == reflect.Bool {
		v.FieldByIndex(done.Index).SetBool(true)
	}
	return p, nil
}

// setCommand stores cmd in entry's command field.
func setCommand(entry reflect.Value, cmd any, what string) error {
	sf, err := Lookup(entry.Type(), CommandField, what)
	if err != nil {
		return err
	}
	fv, cv := entry.FieldByIndex(sf.Index), reflect.ValueOf(cmd)
	switch {
	case cmd == nil:
		return nil
	case cv.Type().AssignableTo(sf.Type):
		fv.Set(cv)
	case cv.Type().ConvertibleTo(sf.Type) && cv.Kind() == sf.Type.Kind():
		fv.Set(cv.Convert(sf.Type))
	default:
		return fmt.Errorf("%s's field %s is %v, which cannot hold the test's command %v (of type %T): "+
			"declare it `any`, as commands are whatever the service passes to Start; see docs/from-mit.md",
			what, sf.Name, sf.Type, cmd, cmd)
	}
	return nil
}

// Read returns the term and the outcome in a reply of the handler's type
// (OK is false for a reply with no outcome).
func (h *Handler) Read(reply reflect.Value) Reply {
	v := reply.Elem()
	r := Reply{Term: readInt(v.FieldByIndex(h.replyTerm))}
	if h.replyFlag != nil {
		r.OK = v.FieldByIndex(h.replyFlag).Bool()
	}
	return r
}

// AnswersByRPC explains, for a verdict, why a test that sends RPCs of its
// own or answers for crashed servers failed, if server rf looks like one
// that answers RPCs with RPCs of its own; "" otherwise.
func AnswersByRPC(rf any) string {
	if rf == nil {
		return ""
	}
	methods := replyMethods(reflect.TypeOf(rf))
	if len(methods) == 0 {
		return ""
	}
	return fmt.Sprintf("%v has %s: it seems to answer with an RPC of its own. This test sends RPCs of its own, as "+
		"if from another server, or answers for crashed servers, and reads or gives the reply a handler fills in, "+
		"the one labrpc's Call returns: a Raft that answers with a separate RPC, and waits for such answers, cannot "+
		"pass it. That costs only the tests that send RPCs of their own, at most 10 points of a lab; fill in the "+
		"reply to pass them (docs/from-mit.md)", reflect.TypeOf(rf), strings.Join(methods, ", "))
}

// replyMethods returns the methods of a server's type that look like
// handlers of replies sent as RPCs of their own: "RequestVoteReply",
// "HandleAppendEntriesResponse".
func replyMethods(rcvr reflect.Type) []string {
	var names []string
	for i := range rcvr.NumMethod() {
		name := rcvr.Method(i).Name
		for _, rpc := range []string{"RequestVote", "AppendEntries", "InstallSnapshot"} {
			if strings.Contains(name, rpc) && (strings.Contains(name, "Reply") || strings.Contains(name, "Response")) {
				names = append(names, name)
				break
			}
		}
	}
	return names
}
