package labdebug

import (
	"bytes"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"raftlabs/labtrace"
)

// capture runs f with the topics of spec on and returns what it printed.
func capture(t *testing.T, spec string, f func()) string {
	t.Helper()
	var buf bytes.Buffer
	old := output
	output = &buf
	Enable(spec)
	t.Cleanup(func() {
		output = old
		topics.Store(nil)
		SetRecorder(nil)
	})
	f()
	return buf.String()
}

func TestOffByDefault(t *testing.T) {
	got := capture(t, "", func() { Printf(1, Vote, "granted vote to s%d", 0) })
	assert.Empty(t, got)
	assert.False(t, Enabled(Vote))
}

func TestLinesAreAlignedWithTheTestsClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := labtrace.NewRecorder(time.Now())
		SetRecorder(rec)
		time.Sleep(1203114 * time.Microsecond)
		got := capture(t, "vote,leader", func() {
			Printf(2, Vote, "granted vote to s%d in term %d", 0, 1)
			Printf(10, Leader, "leads term %d", 1)
			Printf(2, Append, "not shown: the topic is off")
		})
		assert.Equal(t, ""+
			"  1.203114s s2  VOTE    granted vote to s0 in term 1\n"+
			"  1.203114s s10 LEADER  leads term 1\n", got)

		recs := rec.Records()
		require.Len(t, recs, 2, "every line shown is in the trace")
		assert.Equal(t, labtrace.Record{Kind: labtrace.Log, T: 1203114, Server: "s2", Topic: "VOTE",
			Text: "granted vote to s0 in term 1"}, recs[0])
	})
}

func TestTopicsOfTheirOwnAndQuiet(t *testing.T) {
	rec := labtrace.NewRecorder(time.Now())
	got := capture(t, "all", func() { Printf(0, Topic("mine"), "x") })
	assert.Contains(t, got, "s0  mine    x", "all turns on a student's own topics too")

	got = capture(t, "quiet:mine", func() {
		SetRecorder(rec)
		Printf(0, Topic("MINE"), "into the trace only")
	})
	assert.Empty(t, got, "quiet: nothing printed")
	require.Len(t, rec.Records(), 1)
	assert.Equal(t, "into the trace only", rec.Records()[0].Text)
}
