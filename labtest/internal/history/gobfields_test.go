package history

import (
	"bytes"
	"encoding/gob"
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
func TestMessageDecodersDecodeAsAFreshDecoder(t *testing.T) {
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
	var kept MessageDecoders
	for round := range 3 {
		for i, data := range messages {
			var want, got Fields
			wantErr := gob.NewDecoder(bytes.NewReader(data)).Decode(&want)
			gotErr := kept.Decode(data, &got)
			assert.Equal(t, wantErr == nil, gotErr == nil, "round %d, message %d: %v against %v", round, i, gotErr, wantErr)
			assert.Equal(t, want, got, "round %d, message %d", round, i)
		}
	}
	assert.Len(t, kept.decoders, 2, "one decoder for each message type")

	var unsigned MessageDecoders
	var u rpcFieldsUnsigned
	require.NoError(t, unsigned.Decode(encodeForTest(t, gobTestVoteReply{Term: 7}), &u))
	assert.Equal(t, uint64(7), u.Term)
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
