package labgob_test

import (
	"bytes"
	"encoding/gob"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"raftlabs/labgob"
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

// registeredEarly is registered in this package's init, before any Mark,
// as a student's init might.
type registeredEarly struct {
	Term  int
	votes int
}

// encodedEarly is encoded in init, before any Mark.
type encodedEarly struct {
	Term   int
	leader int
}

type carriesCommand struct {
	Entries []goodEntry
}

// The types of the decode tests carry no interface, which would carry
// registeredEarly's problem into them.
type plainReply struct {
	Term    int
	Success bool
}

type plainEntry struct {
	Term    int
	Command string
}

func init() {
	labgob.Register(registeredEarly{})
	_ = labgob.NewEncoder(new(bytes.Buffer)).Encode(encodedEarly{Term: 1})
}

func contains(list []string, substr string) bool {
	for _, s := range list {
		if strings.Contains(s, substr) {
			return true
		}
	}
	return false
}

func TestRoundTrip(t *testing.T) {
	m := labgob.NewMark()
	labgob.Register(goodEntry{})
	var buf bytes.Buffer
	in := goodArgs{Term: 3, Entries: []goodEntry{{Term: 1, Command: 101}, {Term: 3, Command: "x"}}}
	require.NoError(t, labgob.NewEncoder(&buf).Encode(in))

	var out goodArgs
	require.NoError(t, labgob.NewDecoder(&buf).Decode(&out))
	assert.Equal(t, in, out)
	assert.False(t, contains(labgob.ProblemsSince(m), "goodArgs"), "a correct type must not be reported")
	assert.Empty(t, labgob.WarningsSince(m), "a decode into a zero value warns of nothing")
}

func TestLowerCaseFieldReported(t *testing.T) {
	m := labgob.NewMark()
	var buf bytes.Buffer
	require.NoError(t, labgob.NewEncoder(&buf).Encode(lowerCaseArgs{Term: 1, candidateID: 2}))
	assert.Equal(t, []string{"labgob_test.lowerCaseArgs.candidateID starts with a lower-case letter, so gob will not " +
		"send or save it: capitalize the field (RPC arguments, replies and persisted state need upper-case field names)"},
		labgob.ProblemsSince(m))
}

// TestTypesThatEncodeThemselvesPass checks a time.Time in an RPC: its
// fields are lower-case, but gob sends it through its MarshalBinary.
func TestTypesThatEncodeThemselvesPass(t *testing.T) {
	type stamped struct {
		Term   int
		SentAt time.Time
	}
	m := labgob.NewMark()
	var buf bytes.Buffer
	in := stamped{Term: 1, SentAt: time.Date(2025, 2, 1, 12, 0, 0, 0, time.UTC)}
	require.NoError(t, labgob.NewEncoder(&buf).Encode(in))
	var out stamped
	require.NoError(t, labgob.NewDecoder(&buf).Decode(&out))
	assert.True(t, in.SentAt.Equal(out.SentAt))
	assert.Empty(t, labgob.ProblemsSince(m))
}

func TestLowerCaseFieldInNestedTypeReported(t *testing.T) {
	m := labgob.NewMark()
	var buf bytes.Buffer
	_ = labgob.NewEncoder(&buf).Encode(hidesLowerCase{Inner: []lowerCaseInner{{index: 1}}})
	assert.True(t, contains(labgob.ProblemsSince(m), "labgob_test.lowerCaseInner.index starts with a lower-case letter"))
}

func TestEachProblemReportedOncePerMark(t *testing.T) {
	m := labgob.NewMark()
	e := labgob.NewEncoder(new(bytes.Buffer))
	_ = e.Encode(lowerCaseArgs{})
	_ = e.Encode(lowerCaseArgs{})
	_ = e.Encode(&lowerCaseArgs{})
	assert.Len(t, labgob.ProblemsSince(m), 1)

	// The next test meets it again, and is charged with it again.
	next := labgob.NewMark()
	assert.Empty(t, labgob.ProblemsSince(next), "nothing met yet since the new mark")
	_ = e.Encode(&lowerCaseArgs{})
	assert.Len(t, labgob.ProblemsSince(next), 1)
}

// TestTypesMetBeforeTheMarkAreChargedAgain is issue 23's cheat: an init
// that registers or encodes a type with a lower-case field must not hide the
// field from a test that later sends or saves it.
func TestTypesMetBeforeTheMarkAreChargedAgain(t *testing.T) {
	m := labgob.NewMark()
	assert.Empty(t, labgob.ProblemsSince(m))

	var buf bytes.Buffer
	require.NoError(t, labgob.NewEncoder(&buf).Encode(encodedEarly{Term: 2}))
	assert.True(t, contains(labgob.ProblemsSince(m), "labgob_test.encodedEarly.leader starts with a lower-case letter"))

	// A registered type travels inside an interface: charged when a value
	// that can carry one travels, such as a log entry's Command.
	assert.False(t, contains(labgob.ProblemsSince(m), "registeredEarly"))
	require.NoError(t, labgob.NewEncoder(&buf).Encode(carriesCommand{Entries: []goodEntry{{Term: 1, Command: 5}}}))
	assert.True(t, contains(labgob.ProblemsSince(m), "labgob_test.registeredEarly.votes starts with a lower-case letter"))
}

func TestDecodeIntoReusedStructWarns(t *testing.T) {
	m := labgob.NewMark()
	var buf bytes.Buffer
	require.NoError(t, labgob.NewEncoder(&buf).Encode(plainReply{Term: 0}))

	// The sender's Term is 0, which gob does not send: the stale 7 survives.
	stale := plainReply{Term: 7}
	require.NoError(t, labgob.NewDecoder(&buf).Decode(&stale))
	assert.Equal(t, 7, stale.Term, "this is the data loss the warning is about")
	assert.Empty(t, labgob.ProblemsSince(m), "a warning, not a problem")
	assert.Equal(t, []string{"decoding into a labgob_test.plainReply that is not zero (Term = 7) in " +
		"TestDecodeIntoReusedStructWarns: gob does not send zero fields, so a field the sender left zero keeps " +
		"its old value here; decode into a fresh variable (for an RPC, a new reply for every Call)"},
		labgob.WarningsSince(m))
}

// readPersist decodes as MIT students often do, into variables that
// already hold their initial values.
func readPersist(data []byte) (votedFor int, log []plainEntry, err error) {
	votedFor = -1
	log = []plainEntry{{}}
	d := labgob.NewDecoder(bytes.NewReader(data))
	if err := d.Decode(&votedFor); err != nil {
		return 0, nil, err
	}
	if err := d.Decode(&log); err != nil {
		return 0, nil, err
	}
	return votedFor, log, nil
}

func TestDecodeIntoInitialisedVariablesIsHarmless(t *testing.T) {
	m := labgob.NewMark()
	var buf bytes.Buffer
	e := labgob.NewEncoder(&buf)
	require.NoError(t, e.Encode(0)) // votedFor 0: gob sends a top-level 0 too
	require.NoError(t, e.Encode([]plainEntry{{}, {Term: 1, Command: "x"}}))

	var votedFor int
	var log []plainEntry
	printed := stderrOf(t, func() {
		var err error
		votedFor, log, err = readPersist(buf.Bytes())
		require.NoError(t, err)
	})
	assert.Equal(t, 0, votedFor)
	assert.Equal(t, []plainEntry{{}, {Term: 1, Command: "x"}}, log)
	assert.Empty(t, labgob.ProblemsSince(m))
	assert.Empty(t, labgob.WarningsSince(m), "nothing could survive: not a warning of the test")
	assert.Equal(t, "\n*** labgob warning: decoding into an int that is not zero (value -1) in readPersist: harmless "+
		"here, since gob overwrites all of it; a struct that held data would keep the fields the sender left zero ***\n\n"+
		"\n*** labgob warning: decoding into a []labgob_test.plainEntry that is not zero (length 1) in readPersist: "+
		"harmless here, since gob overwrites all of it; a struct that held data would keep the fields the sender "+
		"left zero ***\n\n", printed, "printed, as MIT's labgob prints its warning")
}

// stderrOf returns what f prints to standard error.
func stderrOf(t *testing.T, f func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	require.NoError(t, err)
	saved := os.Stderr
	os.Stderr = w
	defer func() { os.Stderr = saved }()
	f()
	require.NoError(t, w.Close())
	out, err := io.ReadAll(r)
	require.NoError(t, err)
	return string(out)
}

func TestDecodeIntoSliceOfUsedStructsWarnsOfOldData(t *testing.T) {
	m := labgob.NewMark()
	var buf bytes.Buffer
	require.NoError(t, labgob.NewEncoder(&buf).Encode([]plainEntry{{Term: 0}}))
	log := []plainEntry{{Term: 4}}
	require.NoError(t, labgob.NewDecoder(&buf).Decode(&log))
	assert.Equal(t, 4, log[0].Term, "gob decoded into the old element")
	assert.True(t, contains(labgob.WarningsSince(m), "keeps its old value here"), "%q", labgob.WarningsSince(m))
}

// Messages, checked, reports what LabDecoder reports, naming the function
// that decoded; unchecked (the tests' harness reading its own types), it
// reports nothing.
func TestCheckedMessagesReportAsLabDecoder(t *testing.T) {
	m := labgob.NewMark()
	var buf bytes.Buffer
	require.NoError(t, labgob.NewEncoder(&buf).Encode(plainReply{Term: 0}))
	for range 2 { // the second from a kept decoder
		var plain labgob.Messages
		stale := plainReply{Term: 7}
		require.NoError(t, plain.Decode(buf.Bytes(), &stale))
		assert.Empty(t, labgob.WarningsSince(m), "unchecked")
	}
	checked := labgob.Messages{Checked: true}
	for range 2 {
		stale := plainReply{Term: 7}
		require.NoError(t, checked.Decode(buf.Bytes(), &stale))
		assert.Equal(t, 7, stale.Term)
	}
	assert.Equal(t, []string{"decoding into a labgob_test.plainReply that is not zero (Term = 7) in " +
		"TestCheckedMessagesReportAsLabDecoder: gob does not send zero fields, so a field the sender left zero keeps " +
		"its old value here; decode into a fresh variable (for an RPC, a new reply for every Call)"},
		labgob.WarningsSince(m))

	buf.Reset()
	require.NoError(t, gob.NewEncoder(&buf).Encode(lowerCaseArgs{Term: 1}))
	var args lowerCaseArgs
	require.NoError(t, checked.Decode(buf.Bytes(), &args))
	assert.True(t, contains(labgob.ProblemsSince(m), "lowerCaseArgs"), "a lower-case field is a problem: %v", labgob.ProblemsSince(m))
}
