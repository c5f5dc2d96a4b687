package labgob

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type goodArgs struct {
	Term    int
	Entries []goodEntry
}

type goodEntry struct {
	Term    int
	Command any
}

type lowerCaseArgs struct {
	Term        int
	candidateID int
}

type hidesLowerCase struct {
	Inner []lowerCaseInner
}

type lowerCaseInner struct{ index int }

func hasProblem(t *testing.T, substr string) bool {
	t.Helper()
	for _, p := range Problems() {
		if bytes.Contains([]byte(p), []byte(substr)) {
			return true
		}
	}
	return false
}

func TestRoundTrip(t *testing.T) {
	Register(goodEntry{})
	var buf bytes.Buffer
	in := goodArgs{Term: 3, Entries: []goodEntry{{Term: 1, Command: 101}, {Term: 3, Command: "x"}}}
	require.NoError(t, NewEncoder(&buf).Encode(in))

	var out goodArgs
	require.NoError(t, NewDecoder(&buf).Decode(&out))
	assert.Equal(t, in, out)
	assert.False(t, hasProblem(t, "goodArgs"), "a correct type must not be reported")
}

func TestLowerCaseFieldReported(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, NewEncoder(&buf).Encode(lowerCaseArgs{Term: 1, candidateID: 2}))
	assert.True(t, hasProblem(t, "labgob.lowerCaseArgs.candidateID starts with a lower-case letter"))
}

func TestLowerCaseFieldInNestedTypeReported(t *testing.T) {
	var buf bytes.Buffer
	_ = NewEncoder(&buf).Encode(hidesLowerCase{Inner: []lowerCaseInner{{index: 1}}})
	assert.True(t, hasProblem(t, "labgob.lowerCaseInner.index starts with a lower-case letter"))
}

func TestEachProblemReportedOnce(t *testing.T) {
	var buf bytes.Buffer
	e := NewEncoder(&buf)
	_ = e.Encode(lowerCaseArgs{})
	before := len(Problems())
	_ = e.Encode(lowerCaseArgs{})
	_ = e.Encode(&lowerCaseArgs{})
	assert.Equal(t, before, len(Problems()))
}

func TestDecodeIntoNonZeroReported(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, NewEncoder(&buf).Encode(goodArgs{Term: 0}))

	// The sender's Term is 0, which gob does not send: the stale 7 survives.
	stale := goodArgs{Term: 7}
	require.NoError(t, NewDecoder(&buf).Decode(&stale))
	assert.Equal(t, 7, stale.Term, "this is the data loss the check warns about")
	assert.True(t, hasProblem(t, "decoding into a labgob.goodArgs that is not zero (Term = 7)"))
}
