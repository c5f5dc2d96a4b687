package labgob

import (
	"encoding/gob"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Commands of the shapes a splice meets: a struct with a struct inside
// (whose definition gob writes as a message of its own), and two whose
// names, as registered, are as long as the markers' names ("int", "bool").
type (
	gobTestPut struct {
		Key    string
		Client gobTestClient
		Tags   []string
	}
	gobTestClient struct{ ID, Seq int64 }
	gobTestAbc    struct{ N int }
	gobTestAbcd   struct{ S string }
	// gobTestLog is an AppendEntries whose entries are reached through a
	// pointer and an array, besides a slice.
	gobTestLog struct {
		Note    string
		First   *gobTestEntry
		Pair    [2]gobTestEntry
		Entries []gobTestEntry
	}
)

func registerSpliceTypes() {
	gob.Register(gobTestCommand{})
	gob.Register(gobTestPut{})
	gob.Register(&gobTestClient{})
	gob.RegisterName("abc", gobTestAbc{})
	gob.RegisterName("abcd", gobTestAbcd{})
}

// spliceTestValues are messages whose interfaces hold one struct type each,
// at various places, after values of predefined types, and after strings
// that spell the held type's name as gob writes it.
func spliceTestValues() []any {
	put := func(i int) gobTestPut {
		return gobTestPut{Key: fmt.Sprint("k", i), Client: gobTestClient{ID: int64(i) << 40, Seq: int64(i)}, Tags: []string{"a", "b"}}
	}
	entries := func(commands ...any) []gobTestEntry {
		var es []gobTestEntry
		for i, c := range commands {
			es = append(es, gobTestEntry{Term: i + 1, Command: c})
		}
		return es
	}
	// The bytes gob writes for an interface holding a gobTestPut, up to
	// its value: a string command that reads like one.
	lookalike := "\x10labgob.gobTestPut\xff\x90"
	var values []any
	for i := range 5 {
		values = append(values,
			gobTestAppend{Term: i, Entries: entries(gobTestCommand{Key: "k", Value: fmt.Sprint(i)})},
			gobTestAppend{Term: i, Entries: entries(put(i), put(i+1), nil, put(i+2))},
			gobTestAppend{Term: i, LeaderID: 2, Entries: entries(i, "x", lookalike, put(i))},
			&gobTestAppend{Term: i, Entries: entries(gobTestAbc{N: i}, gobTestAbc{N: -i})},
			gobTestAppend{Term: i, Entries: entries(gobTestAbcd{S: "s"})},
			gobTestAppend{Term: i, Entries: entries(&gobTestClient{ID: 1})},
			gobTestLog{Note: lookalike, First: &gobTestEntry{Command: put(i)}, Entries: entries(put(i))},
			gobTestLog{Pair: [2]gobTestEntry{{Command: 7}, {Command: put(i)}}},
			gobTestLog{Entries: entries(strings.Repeat("y", 200*i), put(i))},
			gobTestAppend{Term: i}, // a heartbeat, between the others
		)
	}
	return values
}

// A message whose interfaces hold a struct is spliced: the bytes are a
// fresh encoder's, byte for byte, after the first few splices of each held
// type stopped being checked against one.
func TestEncodersSpliceWhatAFreshEncoderWrites(t *testing.T) {
	registerSpliceTypes()
	var encoders Encoders
	for round := range 3 {
		for i, v := range spliceTestValues() {
			want, wantErr := encodeFresh(v)
			require.NoError(t, wantErr)
			got, err := encoders.Encode(v)
			require.NoError(t, err)
			require.Equal(t, want, got, "round %d, value %d (%#v): not what a fresh encoder writes", round, i, v)
		}
	}
	for _, c := range []struct {
		message, held reflect.Type
	}{
		{reflect.TypeFor[gobTestAppend](), reflect.TypeFor[gobTestCommand]()},
		{reflect.TypeFor[gobTestAppend](), reflect.TypeFor[gobTestPut]()},
		{reflect.TypeFor[*gobTestAppend](), reflect.TypeFor[gobTestAbc]()},
		{reflect.TypeFor[gobTestAppend](), reflect.TypeFor[gobTestAbcd]()},
		{reflect.TypeFor[gobTestAppend](), reflect.TypeFor[*gobTestClient]()},
		{reflect.TypeFor[gobTestLog](), reflect.TypeFor[gobTestPut]()},
	} {
		te := encoders.types[c.message]
		require.NotNil(t, te, "%v has a kept encoder", c.message)
		r := te.recipes[c.held]
		require.NotNil(t, r, "%v holding %v has a recipe", c.message, c.held)
		require.False(t, r.broken, "%v holding %v is spliced", c.message, c.held)
		require.Equal(t, spliceChecks, r.checked, "%v holding %v: its splices were checked, then trusted", c.message, c.held)
	}
	put := encoders.types[reflect.TypeFor[gobTestAppend]()].recipes[reflect.TypeFor[gobTestPut]()]
	require.NotEmpty(t, put.between, "gobTestClient's definition is a message of its own")
}

// Messages that cannot be spliced get a fresh encoder's bytes: two types
// held at once, a held type that holds an interface, a map.
func TestEncodersDoNotSpliceWhatTheyCannot(t *testing.T) {
	registerSpliceTypes()
	gob.Register(gobTestWrapped{})
	var encoders Encoders
	values := []any{
		gobTestAppend{Entries: []gobTestEntry{{Command: gobTestCommand{}}, {Command: gobTestAbc{}}}},
		gobTestAppend{Entries: []gobTestEntry{{Command: gobTestWrapped{Inner: gobTestCommand{}}}}},
		map[string]any{"k": gobTestCommand{}},
	}
	for round := range 2 {
		for i, v := range values {
			want, _ := encodeFresh(v)
			got, err := encoders.Encode(v)
			require.NoError(t, err)
			require.Equal(t, want, got, "round %d, value %d", round, i)
		}
	}
	if te := encoders.types[reflect.TypeFor[gobTestAppend]()]; te != nil {
		require.Empty(t, te.recipes, "no recipe for a message that cannot be spliced")
	}
}

// A recipe whose splice does not come out as a fresh encoder's bytes is
// not used again, and the message gets the fresh encoder's bytes.
func TestEncodersDropABrokenSplice(t *testing.T) {
	registerSpliceTypes()
	var encoders Encoders
	v := gobTestAppend{Entries: []gobTestEntry{{Command: gobTestCommand{Key: "k"}}}}
	want, _ := encodeFresh(v)
	_, err := encoders.Encode(v)
	require.NoError(t, err)
	r := encoders.types[reflect.TypeFor[gobTestAppend]()].recipes[reflect.TypeFor[gobTestCommand]()]
	require.False(t, r.broken)
	r.inside = append(r.inside, 0) // what a wrong recipe would splice in
	got, err := encoders.Encode(v)
	require.NoError(t, err)
	require.Equal(t, want, got)
	require.True(t, r.broken, "the checked splice found the recipe wrong")
	got, err = encoders.Encode(v)
	require.NoError(t, err)
	require.Equal(t, want, got)
}

// What a splice saves over a fresh encoder, for lab 5's AppendEntries:
//
//	go test -run '^$' -bench Splice ./labgob
func BenchmarkSplice(b *testing.B) {
	registerSpliceTypes()
	for _, n := range []int{1, 10} {
		v := gobTestAppend{Term: 7, LeaderID: 2, LeaderCommit: 120}
		for i := range n {
			v.Entries = append(v.Entries, gobTestEntry{Term: 7, Command: gobTestPut{Key: fmt.Sprint(i), Client: gobTestClient{ID: 9, Seq: int64(i)}}})
		}
		b.Run(fmt.Sprintf("%d-entries/fresh", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := encodeFresh(v); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("%d-entries/Encoders", n), func(b *testing.B) {
			var encoders Encoders
			for b.Loop() {
				if _, err := encoders.Encode(v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
