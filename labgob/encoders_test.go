package labgob

import (
	"encoding/gob"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

type gobTestNested struct {
	Name   string
	Data   []byte
	Ptr    *int
	Ratio  float64
	Tags   map[string]int
	Inner  gobTestVoteReply
	Inners []gobTestVoteReply
	When   time.Time // encodes itself
	hidden int       //nolint:unused // gob skips it
}

type gobTestList struct {
	Value int
	Next  *gobTestList
}

type gobTestTerm int

// gobTestWrapped is a command that holds another.
type gobTestWrapped struct{ Inner any }

// encodersTestValues are messages of many shapes, in an order that makes a
// kept encoder meet each type again after others: types without
// interfaces; a log entry's Command holding nothing, a built-in value, a
// named basic type, and a struct whose definition gob writes inside the
// value; values too large to keep an encoder's buffer for; and values of
// predefined types, which have no definitions at all.
func encodersTestValues() []any {
	seven := 7
	big := strings.Repeat("x", largeMessage)
	nested := func(i int) gobTestNested {
		return gobTestNested{
			Name: fmt.Sprintf("n%d", i), Data: []byte{byte(i), 0, 255}, Ptr: &seven, Ratio: float64(i) / 3,
			Tags: map[string]int{"k": i}, Inner: gobTestVoteReply{Term: uint32(i), VoteGranted: i%2 == 0},
			Inners: make([]gobTestVoteReply, i%3), When: time.Unix(int64(i), 0).UTC(), hidden: i,
		}
	}
	appendArgs := func(i int, commands ...any) gobTestAppend {
		a := gobTestAppend{Term: i, LeaderID: i % 5, LeaderCommit: i * 1000}
		for _, c := range commands {
			a.Entries = append(a.Entries, gobTestEntry{Term: i, Command: c})
		}
		return a
	}
	var values []any
	for i := range 6 {
		values = append(values,
			gobTestVoteReply{Term: uint32(i * 300), VoteGranted: i%2 == 1},
			&gobTestVoteReply{Term: uint32(i)},
			nested(i),
			&gobTestList{Value: i, Next: &gobTestList{Value: -i}},
			appendArgs(i),
			appendArgs(i, i, "put x", nil, gobTestTerm(i)),
			appendArgs(i, gobTestCommand{Key: "k", Value: "v"}, i),
			appendArgs(i, -i*1_000_000),
			i*1000-3000,
			fmt.Sprintf("a string %d", i),
		)
		if i == 3 {
			values = append(values, appendArgs(i, big), gobTestCommand{Key: big})
		}
		values = append(values,
			appendArgs(i, gobTestWrapped{Inner: gobTestCommand{Key: "k"}}),
			appendArgs(i, gobTestWrapped{Inner: i}, gobTestCommand{Value: "v"}),
			map[string]any{"a": gobTestCommand{Key: "k"}}, // one key: gob writes a map in a random order
		)
	}
	return values
}

// Encoders writes what a fresh encoder writes, byte for byte, value after
// value, whatever the values are.
func TestEncodersWriteWhatAFreshEncoderWrites(t *testing.T) {
	gob.Register(gobTestCommand{})
	gob.Register(gobTestTerm(0))
	gob.Register(gobTestWrapped{})
	var encoders Encoders
	for round := range 3 {
		for i, v := range encodersTestValues() {
			want, wantErr := encodeFresh(v)
			got, err := encoders.Encode(v)
			require.Equal(t, wantErr, err, "round %d, value %d (%T)", round, i, v)
			require.Equal(t, want, got, "round %d, value %d (%T): not what a fresh encoder writes", round, i, v)
		}
	}
	// Every type without an interface that needs a definition was
	// encoded by a kept encoder, and the rest were not.
	require.True(t, encoders.types[reflect.TypeFor[gobTestVoteReply]()].enc != nil, "a message type without interfaces keeps its encoder")
	require.True(t, encoders.types[reflect.TypeFor[gobTestAppend]()].enc != nil, "a log entry with a built-in command needs no definition")
	require.True(t, encoders.types[reflect.TypeFor[gobTestCommand]()].enc == nil, "the encoder that wrote a large message is not kept")
	_, nested := encoders.types[reflect.TypeFor[gobTestNested]()]
	require.False(t, nested, "a message with a field that encodes itself (a time.Time) gets a fresh encoder")
}

// Values that gob cannot encode get a fresh encoder's error.
func TestEncodersReportAFreshEncodersError(t *testing.T) {
	var encoders Encoders
	type unregistered struct{ A int }
	v := gobTestAppend{Entries: []gobTestEntry{{Command: unregistered{1}}}}
	_, wantErr := encodeFresh(v)
	require.Error(t, wantErr)
	_, err := encoders.Encode(v)
	require.Equal(t, wantErr, err)
	_, err = encoders.Encode(make(chan int))
	require.Error(t, err, "a channel cannot be encoded")
}

// Encoders is safe for concurrent use: messages of one type encoded at
// once each come out whole (run with -race).
func TestEncodersConcurrently(t *testing.T) {
	var encoders Encoders
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 200 {
				v := gobTestVoteReply{Term: uint32(g*1000 + i)}
				want, _ := encodeFresh(v)
				got, err := encoders.Encode(v)
				if err != nil || string(got) != string(want) {
					t.Errorf("goroutine %d, value %d: got %x, %v; want %x", g, i, got, err, want)
					return
				}
			}
		})
	}
	wg.Wait()
}

// An encoder that has written a large message is not kept: gob's encoder
// keeps a buffer as large as the largest value it wrote (see
// largeMessage).
func TestEncodersKeepNoLargeBuffer(t *testing.T) {
	var encoders Encoders
	kept := func() bool { return encoders.types[reflect.TypeFor[gobTestAppend]()].enc != nil }
	small := gobTestAppend{Term: 1, Entries: []gobTestEntry{{Term: 1, Command: "small"}}}
	large := gobTestAppend{Term: 1, Entries: []gobTestEntry{{Term: 1, Command: strings.Repeat("x", largeMessage)}}}
	for _, step := range []struct {
		v    gobTestAppend
		kept bool
	}{{small, true}, {small, true}, {large, false}, {small, true}, {large, false}} {
		want, _ := encodeFresh(step.v)
		got, err := encoders.Encode(step.v)
		require.NoError(t, err)
		require.Equal(t, want, got)
		require.Equal(t, step.kept, kept(), "after a message of %d bytes", len(got))
	}
}

// A nil pointer panics, as with a fresh encoder, and leaves nothing behind
// that changes the next message's bytes.
func TestEncodersNilPointerLeavesNothingBehind(t *testing.T) {
	var encoders Encoders
	require.Panics(t, func() { encoders.Encode((*gobTestVoteReply)(nil)) })
	for i := range 3 {
		v := &gobTestVoteReply{Term: uint32(i)}
		want, _ := encodeFresh(v)
		got, err := encoders.Encode(v)
		require.NoError(t, err)
		require.Equal(t, want, got, "message %d after the panic", i)
	}
}

// What a kept encoder saves, per message, over a fresh one:
//
//	go test -run '^$' -bench Encode ./labgob
func BenchmarkEncode(b *testing.B) {
	heartbeat := gobTestAppend{Term: 7, LeaderID: 2, LeaderCommit: 120}
	entries := gobTestAppend{Term: 7, LeaderID: 2, LeaderCommit: 120}
	for i := range 4 {
		entries.Entries = append(entries.Entries, gobTestEntry{Term: 7, Command: i * 1000})
	}
	reply := gobTestVoteReply{Term: 7, VoteGranted: true}
	for _, m := range []struct {
		name string
		v    any
	}{{"heartbeat", heartbeat}, {"four-entries", entries}, {"reply", reply}} {
		b.Run(m.name+"/fresh", func(b *testing.B) {
			for b.Loop() {
				if _, err := encodeFresh(m.v); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(m.name+"/Encoders", func(b *testing.B) {
			var encoders Encoders
			for b.Loop() {
				if _, err := encoders.Encode(m.v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
