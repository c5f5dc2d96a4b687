package labgob

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type gobTestEntry struct {
	Term    int
	Command any
}

type gobTestAppend struct {
	Term, LeaderID int
	Entries        []gobTestEntry
	LeaderCommit   int
}

type gobTestVoteReply struct {
	Term        uint32
	VoteGranted bool
}

type gobTestCommand struct{ Key, Value string }

// gobTestFields are a few fields of a message, as the tests' harness reads
// them: gob fills in the ones a message has, by name.
type gobTestFields struct {
	Term                 int
	VoteGranted, Success bool
}

type gobTestFieldsUnsigned struct{ Term uint64 }

func encodeForTest(t *testing.T, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, gob.NewEncoder(&buf).Encode(v))
	return buf.Bytes()
}

// The decoders that are kept give what a fresh decoder gives, message
// after message, whatever the messages carry: commands of built-in types,
// a command whose type definition travels inside the value, unsigned
// terms, values too large for a one-byte length, and a message too large
// to keep a decoder's buffer for.
func TestMessagesDecodeAsAFreshDecoder(t *testing.T) {
	gob.Register(gobTestCommand{})
	messages := [][]byte{
		encodeForTest(t, gobTestAppend{Term: 1, LeaderID: 2}),
		encodeForTest(t, gobTestAppend{Term: 3, Entries: []gobTestEntry{{3, 101}, {3, "x"}}, LeaderCommit: 1}),
		encodeForTest(t, gobTestVoteReply{Term: 4, VoteGranted: true}),
		encodeForTest(t, gobTestAppend{Term: 5, Entries: []gobTestEntry{{5, gobTestCommand{"k", "v"}}}}),
		encodeForTest(t, gobTestAppend{Term: 6, Entries: []gobTestEntry{{6, strings.Repeat("y", 5000)}}}),
		encodeForTest(t, gobTestAppend{Term: 6, Entries: []gobTestEntry{{6, strings.Repeat("w", largeMessage)}}}),
		encodeForTest(t, gobTestVoteReply{Term: 7}),
		encodeForTest(t, gobTestAppend{Term: 8, Entries: []gobTestEntry{{8, 7}}}),
	}
	var kept Messages
	for round := range 3 {
		for i, data := range messages {
			var want, got gobTestFields
			wantErr := gob.NewDecoder(bytes.NewReader(data)).Decode(&want)
			gotErr := kept.Decode(data, &got)
			assert.Equal(t, wantErr == nil, gotErr == nil, "round %d, message %d: %v against %v", round, i, gotErr, wantErr)
			assert.Equal(t, want, got, "round %d, message %d", round, i)
		}
	}
	assert.Len(t, kept.decoders, 2, "one decoder for each message type")

	var unsigned Messages
	var u gobTestFieldsUnsigned
	require.NoError(t, unsigned.Decode(encodeForTest(t, gobTestVoteReply{Term: 7}), &u))
	assert.Equal(t, uint64(7), u.Term)
}

// An AppendEntries whose commands are structs defines their type inside
// its value, again in every message, as lab 5's do. A kept decoder, which
// has read that definition once, hands each such message to a fresh
// decoder and stays in use for the messages of the same type that define
// nothing (heartbeats): it decodes them as a fresh decoder does.
func TestMessagesKeepTheirDecoderForCommandsThatAreStructs(t *testing.T) {
	gob.Register(gobTestCommand{})
	heartbeat := encodeForTest(t, gobTestAppend{Term: 2, LeaderID: 1, LeaderCommit: 4})
	var kept, keptEntries Messages
	for i := range 3 {
		for _, data := range [][]byte{
			encodeForTest(t, gobTestAppend{Term: 2, Entries: []gobTestEntry{{2, gobTestCommand{"k", fmt.Sprint(i)}}}}),
			heartbeat,
		} {
			defs, _, ok := splitTypeDefinitions(data)
			require.True(t, ok)
			var want, got gobTestFields
			require.NoError(t, gob.NewDecoder(bytes.NewReader(data)).Decode(&want))
			require.NoError(t, kept.Decode(data, &got))
			assert.Equal(t, want, got, "message %d", i)

			var wantEntries, gotEntries gobTestAppend
			require.NoError(t, gob.NewDecoder(bytes.NewReader(data)).Decode(&wantEntries))
			require.NoError(t, keptEntries.Decode(data, &gotEntries))
			assert.Equal(t, wantEntries, gotEntries, "message %d, with its commands", i)

			d := kept.decoders[string(defs)]
			require.NotNil(t, d, "a decoder is kept for AppendEntries")
			assert.False(t, d.broken, "message %d: a command's type defined again is no reason to stop using the decoder", i)
		}
	}
	assert.Len(t, kept.decoders, 1, "heartbeats and AppendEntries with commands are one message type")
}

// Copy gives what a fresh decoder gives of each message, from the first
// on: commands that are structs (which it copies through its kept stream
// once it has seen their type defined inside a value), heartbeats,
// commands of other types, a large message, and arguments that do not fit
// the target, whose error is the fresh decoder's.
func TestMessagesCopyAsAFreshDecoder(t *testing.T) {
	gob.Register(gobTestCommand{})
	type mismatched struct{ Term string }
	var values []gobTestAppend
	for i := range 4 {
		values = append(values,
			gobTestAppend{Term: i, Entries: []gobTestEntry{{i, gobTestCommand{"k", fmt.Sprint(i)}}, {i, gobTestCommand{"j", ""}}}},
			gobTestAppend{Term: i, LeaderCommit: i},
			gobTestAppend{Term: i, Entries: []gobTestEntry{{i, i}, {i, gobTestCommand{"k", "v"}}}})
	}
	values = append(values, gobTestAppend{Term: 9, Entries: []gobTestEntry{{9, gobTestCommand{strings.Repeat("z", largeMessage), ""}}}})
	var copies Messages
	for i, src := range values {
		data := encodeForTest(t, &src)
		var want, got gobTestAppend
		require.NoError(t, gob.NewDecoder(bytes.NewReader(data)).Decode(&want))
		require.NoError(t, copies.Copy(data, &src, &got), "message %d", i)
		assert.Equal(t, want, got, "message %d", i)
	}
	assert.NotEmpty(t, copies.copiers, "the commands that are structs were copied through a kept stream")

	src := values[0]
	data := encodeForTest(t, &src)
	var wrong mismatched
	wantErr := gob.NewDecoder(bytes.NewReader(data)).Decode(&mismatched{})
	assert.EqualError(t, copies.Copy(data, &src, &wrong), wantErr.Error())
	assert.Zero(t, wrong)
}

func TestSplitTypeDefinitions(t *testing.T) {
	data := encodeForTest(t, gobTestAppend{Term: 9, Entries: []gobTestEntry{{9, strings.Repeat("z", 300)}}})
	defs, rest, ok := splitTypeDefinitions(data)
	require.True(t, ok)
	assert.NotEmpty(t, defs)
	assert.Equal(t, data, append(append([]byte(nil), defs...), rest...))
	value, n, ok := gobUint(rest)
	require.True(t, ok)
	assert.Equal(t, len(rest), n+int(value), "what follows the definitions is one value message")

	_, _, ok = splitTypeDefinitions(data[:len(data)/2])
	assert.False(t, ok, "a cut stream")
	_, _, ok = splitTypeDefinitions(nil)
	assert.False(t, ok)
}

// gobTestReply has what a reused reply can hold from an earlier call: a
// slice, a map, a pointer and an interface, and a lower-case field gob
// neither sends nor sets.
type gobTestReply struct {
	Term    int
	Entries []gobTestEntry
	Seen    map[string]int
	Leader  *int
	Last    any
	note    string
}

// A reply reused across calls is decoded into as it is, old values and
// all: a kept decoder leaves it exactly as a fresh decoder does, the
// message's zero fields keeping their old values, and a message whose
// command's type is defined again (decoded twice, the second time by a
// fresh decoder, over what the first attempt wrote) included.
func TestMessagesDecodeIntoUsedValuesAsAFreshDecoder(t *testing.T) {
	gob.Register(gobTestCommand{})
	five := 5
	messages := []gobTestReply{
		{Term: 1},
		{Term: 2, Entries: []gobTestEntry{{2, 7}, {2, gobTestCommand{"k", "v"}}}, Seen: map[string]int{"a": 1}},
		{Term: 3, Leader: &five, Last: gobTestCommand{"last", ""}},
		{Entries: []gobTestEntry{{4, "x"}}, Seen: map[string]int{"b": 2}, note: "not sent"},
		{Term: 5, Entries: []gobTestEntry{{5, gobTestCommand{"k", "w"}}, {0, nil}}},
	}
	used := func() gobTestReply {
		six := 6
		return gobTestReply{Term: 9, Entries: []gobTestEntry{{9, "old"}, {9, "old"}, {9, "old"}},
			Seen: map[string]int{"a": 9, "z": 9}, Leader: &six, Last: 42, note: "old"}
	}
	var kept Messages
	for round := range 2 {
		for i, m := range messages {
			data := encodeForTest(t, m)
			want, got := used(), used()
			require.NoError(t, gob.NewDecoder(bytes.NewReader(data)).Decode(&want))
			require.NoError(t, kept.Decode(data, &got))
			assert.Equal(t, want, got, "round %d, message %d", round, i)
		}
	}
}
