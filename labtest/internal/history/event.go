package history

import (
	"reflect"
	"sync"

	"raftlabs/labgob"
	"raftlabs/labrpc"
)

// An Event is a network event as the harness's observers (the history,
// what the servers revealed, the trace) see it: its arguments' and reply's
// fields are decoded at most once, however many of them read these, and
// with Calls, at most once for all the events of one call. The network
// calls the observers one event at a time.
type Event struct {
	labrpc.Event
	call               *callArgs // the arguments as read; nil until read, unless Calls shares them
	reply              Fields
	replyOK, replyRead bool
}

// callArgs is what the observers read of one call's arguments.
type callArgs struct {
	read     bool // readAll has been tried
	combined bool // readAll read everything: the fields below are set

	fields                   Fields
	fieldsOK, triedFields    bool
	first                    int   // the index of the first entry an AppendEntries carries
	commands                 []any // its entries' commands
	entriesOK, triedEntries  bool
	prevLogTerm              int
	prevLogTermOK, triedPrev bool
}

// Calls hands out the Events of a network's calls, so that a call's Sent
// event and its outcome, which carry the same arguments, share what the
// observers read of them. The zero value is ready to use.
type Calls struct {
	mu      sync.Mutex
	pending map[int]*callArgs // by call number, from its Sent event to its outcome
}

// Event returns ev as the observers see it, to be handed to them by
// pointer: they read it while it is the event at hand and keep none of it
// (an observer of a network sees one event at a time, so the one Event
// can be reused). Every call reports Sent first and then one outcome
// (labrpc.EventKind), so a call is kept only while it is in flight.
func (c *Calls) Event(ev labrpc.Event) Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	args := c.pending[ev.Call]
	if args == nil {
		args = &callArgs{}
	}
	if ev.Kind == labrpc.Sent {
		if c.pending == nil {
			c.pending = map[int]*callArgs{}
		}
		c.pending[ev.Call] = args
	} else {
		delete(c.pending, ev.Call)
	}
	return Event{Event: ev, call: args}
}

// args returns what is read of the arguments, reading what every observer
// wants in one decoding the first time, if each has read a message of
// this type alone before: a message that carries commands whose types its
// gob stream defines (lab 5's, structs in an interface) needs a fresh
// decoder each time it is read, which costs far more than the reading.
func (e *Event) args() *callArgs {
	if e.call == nil {
		e.call = &callArgs{}
	}
	a := e.call
	if !a.read {
		a.read = true
		var src any // what Args encodes, if it still is
		if e.Kind == labrpc.Sent {
			src = e.Value
		}
		a.readAll(e.Args, src)
	}
	return a
}

// ArgsFields returns the fields decodeRPCFields reads from the arguments.
func (e *Event) ArgsFields() (Fields, bool) {
	a := e.args()
	if !a.combined && !a.triedFields {
		a.triedFields = true
		a.fields, a.fieldsOK = decodeRPCFields(e.Args)
		readAlone(e.Args, readsFields, a.fieldsOK)
	}
	return a.fields, a.fieldsOK
}

// Entries returns what the package's Entries reads from the arguments.
func (e *Event) Entries() (first int, commands []any, ok bool) {
	a := e.args()
	if !a.combined && !a.triedEntries {
		a.triedEntries = true
		a.first, a.commands, a.entriesOK = Entries(e.Args)
		readAlone(e.Args, readsEntries, a.entriesOK)
	}
	return a.first, a.commands, a.entriesOK
}

// PrevLogTerm returns an AppendEntries' previous log term, under either
// spelling the harness's own AppendEntries accepts (package probe).
func (e *Event) PrevLogTerm() (int, bool) {
	a := e.args()
	if !a.combined && !a.triedPrev {
		a.triedPrev = true
		var f prevTermFields
		a.prevLogTermOK = prevTermDecoders.Decode(e.Args, &f) == nil
		a.prevLogTerm = max(f.PrevLogTerm, f.PrevTerm)
		readAlone(e.Args, readsPrevLogTerm, a.prevLogTermOK)
	}
	return a.prevLogTerm, a.prevLogTermOK
}

// ReplyFields returns the fields decodeRPCFields reads from the reply.
func (e *Event) ReplyFields() (Fields, bool) {
	if !e.replyRead {
		e.reply, e.replyOK = decodeRPCFields(e.Reply)
		e.replyRead = true
	}
	return e.reply, e.replyOK
}

// prevTermFields is what PrevLogTerm reads.
type prevTermFields struct{ PrevLogTerm, PrevTerm int }

// The decoders of prevTermFields and of argsType.
var prevTermDecoders, argsDecoders labgob.Messages

// argsType is Fields, entriesType and prevTermFields in one struct, for a
// Raft whose terms and indexes are signed: what every observer reads of
// the arguments, read at once. A message it cannot read (an unsigned term
// or index) is read by each of the three again, alone, as before.
var argsType = func() reflect.Type {
	var fields []reflect.StructField
	seen := map[string]bool{}
	add := func(t reflect.Type) {
		for i := range t.NumField() {
			if f := t.Field(i); !seen[f.Name] {
				seen[f.Name] = true
				fields = append(fields, reflect.StructField{Name: f.Name, Type: f.Type})
			}
		}
	}
	add(reflect.TypeFor[Fields]())
	add(entriesType)
	add(reflect.TypeFor[prevTermFields]())
	return reflect.StructOf(fields)
}()

// The readers of the arguments, as bits of a readers set.
const (
	readsFields = 1 << iota
	readsEntries
	readsPrevLogTerm
	allReaders = readsFields | readsEntries | readsPrevLogTerm
)

// readers holds, for each message type (its gob type definitions), the
// readers that have read a message of that type alone. A reader's reading
// of argsType, where it reads its own fields in one struct with the
// others', is what it would read alone, except when the type has none of
// its fields (gob then fails a reading alone, "no fields matched"): so
// readAll reads a type only once each reader has read it alone.
var readers = struct {
	sync.Mutex
	of map[string]int
}{of: map[string]int{}}

// readAlone notes that reader read data alone, if ok.
func readAlone(data []byte, reader int, ok bool) {
	defs, known := labgob.TypeDefinitions(data)
	if !ok || !known {
		return
	}
	readers.Lock()
	defer readers.Unlock()
	readers.of[string(defs)] |= reader
}

// readAll reads every reader's fields from data in one decoding, if each
// has read a message of its type alone and this one decodes. src, if not
// nil, is the value data encodes, which labgob.Messages.Copy may copy
// instead of decoding data.
func (a *callArgs) readAll(data []byte, src any) {
	defs, known := labgob.TypeDefinitions(data)
	if !known {
		return
	}
	readers.Lock()
	all := readers.of[string(defs)] == allReaders
	readers.Unlock()
	if !all {
		return
	}
	msg := reflect.New(argsType)
	if argsDecoders.Copy(data, src, msg.Interface()) != nil {
		return
	}
	m := msg.Elem()
	a.combined = true
	copyByName(reflect.ValueOf(&a.fields).Elem(), m)
	a.fieldsOK = true
	a.first, a.commands = entriesOf(m)
	a.entriesOK = true
	var f prevTermFields
	copyByName(reflect.ValueOf(&f).Elem(), m)
	a.prevLogTerm, a.prevLogTermOK = max(f.PrevLogTerm, f.PrevTerm), true
}

// copyByName sets each field of the struct dst to src's field of its name.
func copyByName(dst, src reflect.Value) {
	for i := range dst.NumField() {
		dst.Field(i).Set(src.FieldByName(dst.Type().Field(i).Name))
	}
}
