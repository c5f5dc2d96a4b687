package labtest

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

// A field is one of Figure 2's fields and the names the harness accepts
// for it, Figure 2's own first.
type field struct {
	what     string // what it holds, for a message: "the candidate's id"
	names    []string
	required bool // the probe cannot do without it
	flag     bool // a bool rather than an integer
}

// The fields of the RPCs the harness sends. A field that is not required
// may be missing (a lab 1 RequestVote without the log's fields, an entry
// without an index), but not under a name the harness does not know: see
// setInt.
var (
	termField         = field{what: "the term", names: []string{"Term"}, required: true}
	candidateField    = field{what: "the candidate's id", names: []string{"CandidateId", "CandidateIdx", "CandidateIndex", "Candidate", "CandidateMe", "CandId", "From", "Sender", "Src", "Me", "Id", "ServerId", "PeerId"}}
	lastLogIndexField = field{what: "the candidate's last log index", names: []string{"LastLogIndex", "LastLogIdx", "LastIndex", "LastIdx", "LastEntryIndex"}}
	lastLogTermField  = field{what: "the candidate's last log term", names: []string{"LastLogTerm", "LastTerm", "LastEntryTerm"}}
	leaderField       = field{what: "the leader's id", names: []string{"LeaderId", "LeaderIdx", "LeaderIndex", "Leader", "LeaderMe", "From", "Sender", "Src", "Me", "Id", "ServerId", "PeerId"}}
	prevLogIndexField = field{what: "the previous log index", names: []string{"PrevLogIndex", "PrevLogIdx", "PrevIndex", "PrevIdx"}, required: true}
	prevLogTermField  = field{what: "the previous log term", names: []string{"PrevLogTerm", "PrevTerm"}, required: true}
	leaderCommitField = field{what: "the leader's commit index", names: []string{"LeaderCommit", "LeaderCommitIndex", "LeaderCommitIdx", "CommitIndex", "CommitIdx", "Commit"}}
	entriesField      = field{what: "the entries", names: []string{"Entries", "Logs", "Log", "LogEntries"}, required: true}
	entryIndexField   = field{what: "the entry's index", names: []string{"Index", "Idx", "LogIndex"}}
	commandField      = field{what: "the command", names: []string{"Command", "Cmd"}, required: true}
	voteGrantedField  = field{what: "the vote", names: []string{"VoteGranted", "Granted", "Vote"}, required: true, flag: true}
	successField      = field{what: "the outcome", names: []string{"Success", "Succeeded", "Ok"}, required: true, flag: true}

	// InstallSnapshot's (Figure 13), lab 4. Its reply has a term only.
	lastIncludedIndexField = field{what: "the snapshot's last included index", names: []string{"LastIncludedIndex", "LastIncludedIdx", "SnapshotIndex", "LastIndex"}, required: true}
	lastIncludedTermField  = field{what: "the snapshot's last included term", names: []string{"LastIncludedTerm", "SnapshotTerm", "LastTerm"}, required: true}
	snapshotDataField      = field{what: "the snapshot", names: []string{"Data", "Snapshot", "SnapshotData"}, required: true}
	noFlag                 = field{}

	// probeFields is every field above, for ProbeFieldNames and
	// unknownIntegers.
	probeFields = []field{termField, candidateField, lastLogIndexField, lastLogTermField, leaderField,
		prevLogIndexField, prevLogTermField, leaderCommitField, entriesField, entryIndexField, commandField,
		voteGrantedField, successField, lastIncludedIndexField, lastIncludedTermField, snapshotDataField}
)

// describe names f for a message: "VoteGranted (or Granted, Vote)".
func (f field) describe() string {
	if len(f.names) == 1 {
		return f.names[0]
	}
	return fmt.Sprintf("%s (or %s)", f.names[0], strings.Join(f.names[1:], ", "))
}

// rule is what every message about a type the harness cannot use ends with.
const rule = "the tests send RPCs of their own and need Figure 2's names; see docs/from-mit.md"

// A voteRequest is a RequestVote's arguments, before they are put in the
// server's own type.
type voteRequest struct {
	Term         int
	Candidate    int
	LastLogIndex int
	LastLogTerm  int
}

// An appendRequest is an AppendEntries's arguments, before they are put in
// the server's own type.
type appendRequest struct {
	Term         int
	Leader       int
	PrevLogIndex int
	PrevLogTerm  int
	Entries      []logEntry
	LeaderCommit int
}

// A logEntry is one entry of an appendRequest. Index is sent only to a
// server whose entry type has an index field.
type logEntry struct {
	Index   int
	Term    int
	Command any
}

// A snapshotRequest is an InstallSnapshot's arguments (Figure 13), before
// they are put in the server's own type. The whole snapshot goes in one
// RPC: an Offset field, if the type has one, stays 0, and a Done field is
// set.
type snapshotRequest struct {
	Term              int
	Leader            int
	LastIncludedIndex int
	LastIncludedTerm  int
	Data              []byte
}

// A probeReply is what the harness reads of a reply: the term and the
// RPC's outcome (VoteGranted or Success).
type probeReply struct {
	Term int
	OK   bool
}

// A handler is an RPC handler's types, as the server declares them.
type handler struct {
	method     string
	args       reflect.Type // a struct type
	argsByPtr  bool         // the handler takes *args
	reply      reflect.Type // a struct type; the handler takes *reply
	replyTerm  []int        // the reply's Term field, as a field index
	replyFlag  []int        // the reply's VoteGranted or Success field
	flagName   string       // that field's name in the server's type
	replyField field        // which flag the reply carries
}

// findHandler finds the handler method on the server type rcvr and
// checks that the harness can read its reply: a Term and the field flag.
func findHandler(rcvr reflect.Type, method string, flag field) (*handler, error) {
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
	h := &handler{method: method, args: ft.In(1), replyField: flag}
	if h.args.Kind() == reflect.Pointer {
		h.args, h.argsByPtr = h.args.Elem(), true
	}
	if h.args.Kind() != reflect.Struct {
		return nil, fmt.Errorf("%s's argument type is %v, not a struct: %s", method, ft.In(1), rule)
	}
	if r := ft.In(2); r.Kind() != reflect.Pointer || r.Elem().Kind() != reflect.Struct {
		return nil, fmt.Errorf("%s's reply type is %v, not a pointer to a struct: %s", method, r, rule)
	}
	h.reply = ft.In(2).Elem()
	what := fmt.Sprintf("%s's reply type %v", method, h.reply)
	term, err := lookup(h.reply, termField, what)
	if err != nil {
		return nil, err
	}
	if err := wantInteger(term, what); err != nil {
		return nil, err
	}
	if len(flag.names) == 0 {
		h.replyTerm = term.Index
		return h, nil // a reply with a term only (InstallSnapshot's)
	}
	flagField, err := lookup(h.reply, flag, what)
	if err != nil {
		return nil, err
	}
	if flagField.Type.Kind() != reflect.Bool {
		return nil, fmt.Errorf("%s's field %s is %v, not a bool: %s", what, flagField.Name, flagField.Type, rule)
	}
	h.replyTerm, h.replyFlag, h.flagName = term.Index, flagField.Index, flagField.Name
	return h, nil
}

// lookup finds the exported field of struct type t that f names. what
// names t in an error.
func lookup(t reflect.Type, f field, what string) (reflect.StructField, error) {
	var hidden string
	for _, name := range f.names {
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
func setInt(v reflect.Value, f field, n int, what string) error {
	sf, err := lookup(v.Type(), f, what)
	if err != nil {
		return err
	}
	if sf.Index == nil {
		if unknown := unknownIntegers(v.Type()); n != 0 && len(unknown) > 0 {
			return fmt.Errorf("%s has no field the tests recognise as %s: they looked for %s, and it has %s, "+
				"which they do not know. The tests send RPCs of their own and fill each field by its name: rename "+
				"the field to one of those (docs/from-mit.md lists them)",
				what, f.what, strings.Join(f.names, ", "), strings.Join(unknown, ", "))
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
			for _, name := range f.names {
				known = known || strings.EqualFold(sf.Name, name)
			}
		}
		if !known {
			unknown = append(unknown, sf.Name)
		}
	}
	return unknown
}

// ProbeFieldNames returns, for the documentation, each field the tests'
// own RPCs fill and the names accepted for it, in order.
func ProbeFieldNames() map[string][]string {
	names := map[string][]string{}
	for _, f := range probeFields {
		names[f.what] = f.names
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
	f field
	n int
}

// newArgs returns a new value of the server's argument type, as a pointer,
// with the integer fields ints set; what names the type in errors.
func (h *handler) newArgs(ints ...intValue) (p reflect.Value, what string, err error) {
	p = reflect.New(h.args)
	what = fmt.Sprintf("%s's argument type %v", h.method, h.args)
	for _, set := range ints {
		if err := setInt(p.Elem(), set.f, set.n, what); err != nil {
			return reflect.Value{}, what, err
		}
	}
	return p, what, nil
}

// voteArgs returns req in the server's own argument type, as a pointer.
func (h *handler) voteArgs(req voteRequest) (reflect.Value, error) {
	p, _, err := h.newArgs(
		intValue{termField, req.Term},
		intValue{candidateField, req.Candidate},
		intValue{lastLogIndexField, req.LastLogIndex},
		intValue{lastLogTermField, req.LastLogTerm},
	)
	return p, err
}

// appendArgs returns req in the server's own argument type, as a pointer.
func (h *handler) appendArgs(req appendRequest) (reflect.Value, error) {
	p, what, err := h.newArgs(
		intValue{termField, req.Term},
		intValue{leaderField, req.Leader},
		intValue{prevLogIndexField, req.PrevLogIndex},
		intValue{prevLogTermField, req.PrevLogTerm},
		intValue{leaderCommitField, req.LeaderCommit},
	)
	if err != nil {
		return reflect.Value{}, err
	}
	v := p.Elem()

	sf, err := lookup(h.args, entriesField, what)
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
	entryWhat := fmt.Sprintf("%s's log entry type %v", h.method, entry)
	entries := reflect.MakeSlice(sf.Type, 0, len(req.Entries))
	for _, e := range req.Entries {
		ep := reflect.New(entry)
		if err := setInt(ep.Elem(), termField, e.Term, entryWhat); err != nil {
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

// snapshotArgs returns req in the server's own argument type, as a pointer.
func (h *handler) snapshotArgs(req snapshotRequest) (reflect.Value, error) {
	p, what, err := h.newArgs(
		intValue{termField, req.Term},
		intValue{leaderField, req.Leader},
		intValue{lastIncludedIndexField, req.LastIncludedIndex},
		intValue{lastIncludedTermField, req.LastIncludedTerm},
	)
	if err != nil {
		return reflect.Value{}, err
	}
	v := p.Elem()
	sf, err := lookup(h.args, snapshotDataField, what)
	if err != nil {
		return reflect.Value{}, err
	}
	if sf.Type != reflect.TypeOf([]byte(nil)) {
		return reflect.Value{}, fmt.Errorf("%s's field %s is %v, not []byte: the snapshot is the service's bytes, "+
			"as Snapshot receives them: %s", what, sf.Name, sf.Type, rule)
	}
	v.FieldByIndex(sf.Index).SetBytes(req.Data)
	if done, ok := h.args.FieldByName("Done"); ok && done.IsExported() && done.Type.Kind() == reflect.Bool {
		v.FieldByIndex(done.Index).SetBool(true)
	}
	return p, nil
}

// setCommand stores cmd in entry's command field.
func setCommand(entry reflect.Value, cmd any, what string) error {
	sf, err := lookup(entry.Type(), commandField, what)
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

// read returns the term and the outcome in a reply of the handler's type
// (OK is false for a reply with no outcome).
func (h *handler) read(reply reflect.Value) probeReply {
	v := reply.Elem()
	r := probeReply{Term: readInt(v.FieldByIndex(h.replyTerm))}
	if h.replyFlag != nil {
		r.OK = v.FieldByIndex(h.replyFlag).Bool()
	}
	return r
}

// requestVote sends server i a RequestVote in its own types and returns
// its reply; ok is false if no reply came back. A reply whose term is
// behind the request's fails the test.
func (c *Cluster) requestVote(i int, req voteRequest) (reply probeReply, ok bool) {
	c.t.Helper()
	h := c.handler(i, "RequestVote", voteGrantedField)
	args, err := h.voteArgs(req)
	if err != nil {
		c.Fatalf("%v", err)
	}
	return c.probe(i, h, args, req.Term)
}

// appendEntries sends server i an AppendEntries in its own types and
// returns its reply; ok is false if no reply came back. A reply whose term
// is behind the request's fails the test.
func (c *Cluster) appendEntries(i int, req appendRequest) (reply probeReply, ok bool) {
	c.t.Helper()
	h := c.handler(i, "AppendEntries", successField)
	args, err := h.appendArgs(req)
	if err != nil {
		c.Fatalf("%v", err)
	}
	return c.probe(i, h, args, req.Term)
}

// installSnapshot sends server i an InstallSnapshot in its own types and
// returns its reply; ok is false if no reply came back. A reply whose term
// is behind the request's fails the test.
func (c *Cluster) installSnapshot(i int, req snapshotRequest) (reply probeReply, ok bool) {
	c.t.Helper()
	h := c.handler(i, "InstallSnapshot", noFlag)
	args, err := h.snapshotArgs(req)
	if err != nil {
		c.Fatalf("%v", err)
	}
	return c.probe(i, h, args, req.Term)
}

// handler returns server i's handler called method, failing the test if
// the server is crashed or the harness cannot understand the handler.
func (c *Cluster) handler(i int, method string, flag field) *handler {
	c.t.Helper()
	rf := c.raft(i)
	if rf == nil {
		c.Fatalf("%s: s%d is crashed", method, i)
	}
	h, err := findHandler(reflect.TypeOf(rf), method, flag)
	if err != nil {
		c.Fatalf("s%d: %v", i, err)
	}
	return h
}

// probe delivers one RPC from the harness to server i over the test's
// network and returns the reply, if one came back. term is the request's
// term: the reply carries the server's currentTerm, which is at least that.
func (c *Cluster) probe(i int, h *handler, args reflect.Value, term int) (probeReply, bool) {
	c.t.Helper()
	rf := c.raft(i)
	if rf == nil {
		c.Fatalf("%s: s%d is crashed", h.method, i)
	}
	c.mu.Lock()
	c.probes++
	name := fmt.Sprintf("harness->s%d#%d", i, c.probes)
	c.mu.Unlock()
	end := c.net.NewEnd(name)
	c.net.Connect(name, serverName(i))
	c.net.Enable(name, true)
	// labrpc names a service after its receiver's type: "Raft" in the labs.
	service := reflect.TypeOf(rf).Elem().Name()
	reply := reflect.New(h.reply)
	if !h.argsByPtr {
		args = args.Elem()
	}
	ok := end.Call(service+"."+h.method, args.Interface(), reply.Interface())
	c.net.Enable(name, false)
	c.checkBackground()
	if !ok {
		return probeReply{}, false
	}
	got := h.read(reply)
	if reply.Elem().IsZero() {
		if why := answersByRPC(rf); why != "" {
			c.Fatalf("s%d's %s handler left its reply empty, and %s", i, h.method, why)
		}
	}
	if got.Term < term {
		outcome := ""
		if h.flagName != "" {
			outcome = fmt.Sprintf(" (and %s %v)", h.flagName, got.OK)
		}
		c.Fatalf("s%d's reply to %s in term %d carried term %d%s: a reply carries the receiver's currentTerm, "+
			"which is at least the request's term once it has been seen (Figure 2, Rules for All Servers: "+
			"\"If RPC request or response contains term T > currentTerm: set currentTerm = T\")",
			i, h.method, term, got.Term, outcome)
	}
	return got, true
}

// answersByRPC explains, for a verdict, why a test that sends RPCs of its
// own or answers for crashed servers failed, if server rf looks like one
// that answers RPCs with RPCs of its own; "" otherwise.
func answersByRPC(rf any) string {
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
