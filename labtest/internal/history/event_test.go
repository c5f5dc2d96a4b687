package history

import (
	"encoding/gob"
	"testing"

	"github.com/stretchr/testify/assert"

	"raftlabs/labrpc"
)

// eventCommand is a command that is a struct, as lab 5's are: the gob
// stream of every AppendEntries that carries one defines its type again.
type eventCommand struct {
	Key   string
	Value string
}

func init() { gob.Register(eventCommand{}) }

// TestEventReadsAsEachReaderAlone checks that what an Event reads of an
// AppendEntries in one decoding (ArgsFields, Entries, PrevLogTerm), once
// each reader has read its type alone, is what each reader finds alone,
// for signed and unsigned terms and indexes and for a message some
// readers cannot read; and that the events of one call share one reading.
func TestEventReadsAsEachReaderAlone(t *testing.T) {
	type entry = figure2Entry
	for name, c := range map[string]struct {
		msg      any
		combined bool // read in one decoding once each reader has read it alone
	}{
		"signed": {struct {
			Term, PrevLogIndex, PrevLogTerm int
			Entries                         []entry
		}{4, 6, 3, []entry{{4, eventCommand{"k", "v"}}, {4, 17}}}, true},
		"unsigned term and index": {struct {
			Term, PrevIndex uint64
			PrevTerm        int
			Logs            []entry
		}{4, 6, 3, []entry{{4, eventCommand{"k", "v"}}}}, false},
		"a RequestVote": {struct{ Term, CandidateId int }{5, 2}, false},
	} {
		data := encodeMessage(t, c.msg)
		// A first message of the type, read by each reader alone.
		alone := &Event{Event: labrpc.Event{Kind: labrpc.Delivered, Args: data}}
		alone.ArgsFields()
		alone.Entries()
		alone.PrevLogTerm()
		assert.False(t, alone.args().combined, "%s: the type's first message", name)

		var calls Calls
		sent := calls.Event(labrpc.Event{Kind: labrpc.Sent, Call: 1, Args: data})
		delivered := calls.Event(labrpc.Event{Kind: labrpc.Delivered, Call: 1, Args: data})
		assert.Same(t, sent.args(), delivered.args(), "%s: a call's events share what is read", name)
		assert.Empty(t, calls.pending, "%s: a call is forgotten at its outcome", name)
		assert.Equal(t, c.combined, delivered.args().combined, "%s: read in one decoding", name)

		fields, fieldsOK := decodeRPCFields(data)
		gotFields, gotOK := delivered.ArgsFields()
		assert.Equal(t, fieldsOK, gotOK, name)
		assert.Equal(t, fields, gotFields, name)

		first, commands, entriesOK := Entries(data)
		gotFirst, gotCommands, gotOK := delivered.Entries()
		assert.Equal(t, entriesOK, gotOK, name)
		assert.Equal(t, first, gotFirst, name)
		assert.Equal(t, commands, gotCommands, name)

		var f prevTermFields
		prevOK := prevTermDecoders.Decode(data, &f) == nil
		gotPrev, gotOK := delivered.PrevLogTerm()
		assert.Equal(t, prevOK, gotOK, name)
		assert.Equal(t, max(f.PrevLogTerm, f.PrevTerm), gotPrev, name)
	}
}

// BenchmarkEventArgs measures what the observers' readings of one lab 5
// AppendEntries cost: each reader alone, as before history.Calls (the
// history at Sent, then the history and the exchanges' two readings at
// the outcome), one reading shared by the call's events, and that reading
// copied from the caller's value. Run with
//
//	go test -run '^$' -bench EventArgs ./labtest/internal/history
func BenchmarkEventArgs(b *testing.B) {
	type entry = figure2Entry
	msg := struct {
		Term, LeaderId, PrevLogIndex, PrevLogTerm, LeaderCommit int
		Entries                                                 []entry
	}{7, 1, 40, 7, 39, []entry{{7, eventCommand{"k1", "x;"}}, {7, eventCommand{"k2", "y;"}}}}
	data := encodeMessage(b, msg)
	b.Run("alone", func(b *testing.B) {
		for b.Loop() {
			decodeRPCFields(data)
			decodeRPCFields(data)
			Entries(data)
			var f prevTermFields
			prevTermDecoders.Decode(data, &f)
		}
	})
	// Shared, the reading decodes the message, or copies the caller's
	// value when the Sent event carries it (labgob.Messages.Copy).
	for name, value := range map[string]any{"shared": nil, "shared and copied": &msg} {
		b.Run(name, func(b *testing.B) {
			var calls Calls
			for call := 1; b.Loop(); call++ {
				sent := calls.Event(labrpc.Event{Kind: labrpc.Sent, Call: call, Args: data, Value: value})
				sent.ArgsFields()
				delivered := calls.Event(labrpc.Event{Kind: labrpc.Delivered, Call: call, Args: data, Value: value})
				delivered.ArgsFields()
				delivered.Entries()
				delivered.PrevLogTerm()
			}
		})
	}
}
