package tracer

import (
	"bytes"
	"testing"
	"time"

	"raftlabs/labgob"
	"raftlabs/labrpc"
	"raftlabs/labtest/internal/history"
	"raftlabs/labtrace"
)

// BenchmarkTraceRPC measures what recording one RPC costs the harness: a
// RequestVote's Sent and Delivered events through the trace's observer,
// arguments and reply decoded for their terms. Compare it with what the
// call itself costs (labrpc's BenchmarkCall, if any) times the RPCs of a
// test (the summary line's count):
//
//	go test -run '^$' -bench TraceRPC ./labtest/internal/tracer
func BenchmarkTraceRPC(b *testing.B) {
	type args struct{ Term, CandidateID, LastLogIndex, LastLogTerm int }
	type reply struct {
		Term        int
		VoteGranted bool
	}
	encode := func(v any) []byte {
		var buf bytes.Buffer
		if err := labgob.NewEncoder(&buf).Encode(v); err != nil {
			b.Fatal(err)
		}
		return buf.Bytes()
	}
	req := encode(args{Term: 3, CandidateID: 1, LastLogIndex: 10, LastLogTerm: 2})
	rep := encode(reply{Term: 3, VoteGranted: true})
	tr := &Tracer{rec: labtrace.NewRecorder(time.Now()), calls: map[int]int{}, known: map[int]seen{}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if i%(labtrace.MaxRecords/4) == 0 {
			tr.rec = labtrace.NewRecorder(time.Now()) // stay under the trace's bound
		}
		a := bytes.Clone(req) // each call has its own arguments
		ev := labrpc.Event{Kind: labrpc.Sent, Call: i + 1, End: "s1->s0#1", Server: "s0", Method: "Raft.RequestVote", Args: a, Bytes: len(a)}
		tr.RPC(&history.Event{Event: ev})
		ev.Kind, ev.Reply = labrpc.Delivered, rep
		tr.RPC(&history.Event{Event: ev})
	}
}
