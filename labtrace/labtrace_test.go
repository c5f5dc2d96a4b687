package labtrace_test

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"raftlabs/labtrace"
)

func TestRecorderKeepsOrderAndStampsTime(t *testing.T) {
	start := time.Now().Add(-2 * time.Second)
	rec := labtrace.NewRecorder(start)
	first := rec.Add(labtrace.Record{Kind: labtrace.Test, T: 1, Test: "TestX"})
	second := rec.Add(labtrace.Record{Kind: labtrace.Crash, Server: "s1"})
	assert.Equal(t, 0, first)
	assert.Equal(t, 1, second)

	got := rec.Records()
	require.Len(t, got, 2)
	assert.Equal(t, int64(1), got[0].T, "a time that is set is kept")
	assert.GreaterOrEqual(t, got[1].T, int64(2_000_000), "an unset time is stamped with the time since start")
}

func TestRecorderSealEndsTheTraceButCallsLearnTheirFate(t *testing.T) {
	rec := labtrace.NewRecorder(time.Now())
	call := rec.Add(labtrace.Record{Kind: labtrace.RPC, T: 10, From: "s0", To: "s1", Method: "RequestVote"})
	other := rec.Add(labtrace.Record{Kind: labtrace.RPC, T: 11, From: "s0", To: "s2", Method: "RequestVote"})

	require.True(t, rec.Seal(labtrace.Record{Kind: labtrace.Fail, T: 20, Text: "no leader"}))
	assert.False(t, rec.Seal(labtrace.Record{Kind: labtrace.Fail, T: 30, Text: "a later failure"}), "only the first end counts")
	assert.Equal(t, -1, rec.Add(labtrace.Record{Kind: labtrace.Crash, T: 25, Server: "s1"}), "nothing is added once sealed")
	rec.Update(call, func(r *labtrace.Record) { r.Fate, r.Done = labtrace.Delivered, 40 })

	got := rec.Records()
	require.Len(t, got, 3)
	assert.Equal(t, labtrace.Delivered, got[call].Fate, "a call in flight at the failure still learns its fate")
	assert.Equal(t, labtrace.InFlight, got[other].Fate, "a call with no fate yet is shown in flight")
	assert.Equal(t, labtrace.Fail, got[len(got)-1].Kind, "the failure is the last record")
	assert.Equal(t, "no leader", got[len(got)-1].Text)
}

// A long trace keeps every record in order, and an update reaches the
// record it names wherever it is.
func TestRecorderKeepsALongTraceInOrder(t *testing.T) {
	rec := labtrace.NewRecorder(time.Now())
	const n = 2000
	for i := range n {
		require.Equal(t, i, rec.Add(labtrace.Record{Kind: labtrace.RPC, T: int64(i + 1), Bytes: i}))
	}
	for _, id := range []int{0, 255, 256, 1023, n - 1} {
		rec.Update(id, func(r *labtrace.Record) { r.Fate = labtrace.Delivered })
	}
	require.True(t, rec.Seal(labtrace.Record{Kind: labtrace.End, T: n + 1}))
	got := rec.Records()
	require.Len(t, got, n+1)
	for i := range n {
		assert.Equal(t, i, got[i].Bytes, "record %d", i)
	}
	assert.Equal(t, labtrace.Delivered, got[256].Fate)
	assert.Equal(t, labtrace.Delivered, got[n-1].Fate)
	assert.Equal(t, labtrace.InFlight, got[257].Fate)
	assert.Equal(t, labtrace.End, got[n].Kind)
}

func TestRecorderIsSafeForConcurrentUse(t *testing.T) {
	rec := labtrace.NewRecorder(time.Now())
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for k := range 100 {
				id := rec.Add(labtrace.Record{Kind: labtrace.RPC, T: int64(k + 1), From: labtrace.ServerName(g)})
				rec.Update(id, func(r *labtrace.Record) { r.Fate = labtrace.Delivered })
			}
		})
	}
	wg.Wait()
	got := rec.Records()
	assert.Len(t, got, 800)
	for _, r := range got {
		assert.Equal(t, labtrace.Delivered, r.Fate)
	}
}

// sample is one of each kind of record, every field used somewhere.
var sample = []labtrace.Record{
	{Kind: labtrace.Test, T: 0, Test: "TestReElectionLab1", Seed: 8812, Clock: "virtual"},
	{Kind: labtrace.Boot, T: 1, Servers: 3},
	{Kind: labtrace.Start, T: 2, Server: "s0", Instance: 1},
	{Kind: labtrace.Network, T: 3, Shape: "{s1 s2} | s0 cut off", Groups: [][]string{{"s1", "s2"}}},
	{Kind: labtrace.RPC, T: 153112, Done: 160000, From: "s1", To: "s0", Method: "RequestVote", Fate: labtrace.Delivered,
		ArgsTerm: 1, ReplyTerm: 1, OK: true, Bytes: 93},
	{Kind: labtrace.RPC, T: 153113, Done: 7000000, From: "s1", To: "s2", Method: "RequestVote", Fate: labtrace.Unreachable, ArgsTerm: 1},
	{Kind: labtrace.State, T: 153112, Server: "s1", Role: labtrace.Candidate, Term: 1, Source: "sent RequestVote"},
	{Kind: labtrace.Command, T: 2000000, Server: "s1", Command: "101", Index: 1, Term: 1, OK: true},
	{Kind: labtrace.Apply, T: 2000100, Server: "s2", Index: 1, Command: "101"},
	{Kind: labtrace.Snapshot, T: 2000200, Server: "s2", Index: 9, Term: 1},
	{Kind: labtrace.Log, T: 2000150, Server: "s2", Topic: "APPLY", Text: "applied 1 </script> & \"quoted\"\nsecond line"},
	{Kind: labtrace.Crash, T: 3000000, Server: "s0"},
	{Kind: labtrace.Fail, T: 6502000, Where: "lab1.go:40", Property: "election safety", Text: "term 4 has 2 leaders [s1 s3]"},
}

func TestWriteReadRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, labtrace.Write(&buf, sample))
	assert.Equal(t, len(sample), strings.Count(buf.String(), "\n"), "one line per record")
	assert.True(t, strings.HasPrefix(buf.String(), `{"kind":"test","t":0,"test":"TestReElectionLab1","seed":8812,"clock":"virtual"}`+"\n"),
		"fields that do not apply are left out:\n%s", buf.String())

	got, err := labtrace.Read(&buf)
	require.NoError(t, err)
	assert.Equal(t, sample, got)
}

func TestFileRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new folder", "trace.jsonl")
	require.NoError(t, labtrace.WriteFile(path, sample))
	got, err := labtrace.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, sample, got)
}

func TestReadNamesTheBadLine(t *testing.T) {
	_, err := labtrace.Read(strings.NewReader(`{"kind":"test","t":0}` + "\n" + "not json\n"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "line 2")
}

func TestRecordString(t *testing.T) {
	assert.Equal(t, "RequestVote s1->s0 T1 -> T1 yes", sample[4].String())
	assert.Equal(t, "RequestVote s1->s2 T1: unreachable", sample[5].String())
	assert.Equal(t, "FAILED lab1.go:40: election safety: term 4 has 2 leaders [s1 s3]", sample[len(sample)-1].String())
	assert.Equal(t, "2.000s", labtrace.Seconds(2_000_000))
	i, ok := labtrace.ServerNumber("s12")
	assert.True(t, ok)
	assert.Equal(t, 12, i)
	_, ok = labtrace.ServerNumber("harness")
	assert.False(t, ok)
}

// A Raft that prints megabytes in each debug line must not fill the disk:
// a record's text is cut, and past MaxBytes the trace keeps only its end.
func TestRecorderCapsTextAndBytes(t *testing.T) {
	rec := labtrace.NewRecorder(time.Now())
	line := strings.Repeat("x", 1<<20)
	first := rec.Add(labtrace.Record{Kind: labtrace.Log, Server: "s0", Topic: "INFO", Text: line})
	require.Equal(t, 0, first)
	got := rec.Records()[0].Text
	assert.Equal(t, strings.Repeat("x", labtrace.MaxText)+fmt.Sprintf("... [%d more bytes cut]", 1<<20-labtrace.MaxText), got)

	for range 2 * labtrace.MaxBytes / labtrace.MaxText {
		rec.Add(labtrace.Record{Kind: labtrace.Log, Server: "s0", Topic: "INFO", Text: line})
	}
	assert.Positive(t, rec.Dropped())
	require.True(t, rec.Seal(labtrace.Record{Kind: labtrace.End, Text: "the end"}))
	var file bytes.Buffer
	require.NoError(t, labtrace.Write(&file, rec.Records()))
	assert.Less(t, file.Len(), labtrace.MaxBytes+labtrace.MaxText, "a trace file stays under MaxBytes")
	assert.Greater(t, file.Len(), labtrace.MaxBytes*3/4, "a full trace keeps most of its budget")
	records := rec.Records()
	assert.Equal(t, "the end", records[len(records)-1].Text, "the record that ends the test is kept")
}
