package labtest

import (
	"bytes"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"

	"raftlabs/labgob"
	"raftlabs/labrpc"
	"raftlabs/labtest/internal/history"
	"raftlabs/labtest/internal/probe"
)

// Every command a server applies must have reached it at the index it
// applies it at: in the entries of an AppendEntries sent to it (an entry's
// index is PrevLogIndex+1 for the first, and so on), or by a Start on it
// that returned that index. All of a test's servers run in one process, so
// a Raft could hand a follower its leader's log through a package-level
// variable and never send an entry; the apply checker alone would see
// every server agree. The receipts are what each server was sent, by any
// sender (the harness's own probes included), read by name from the
// messages' previous log index, entries and each entry's command, in every
// spelling the harness's own RPCs accept (package probe).
//
// A message counts from the moment it is sent, which is before its handler
// can run, and stops counting if the network reports it lost before its
// handler ran (dropped, or its receiver unreachable): the network reports a
// delivery only after the handler, and a follower may apply an entry before
// that. A Start counts, for any index, while it runs, and then for the
// index it returned if it said the server leads. Commands are compared by
// value.

// The same holds for the snapshots a server hands its service on applyCh:
// each must have reached it in the Data (or Snapshot, SnapshotData) of an
// InstallSnapshot sent to it, or from its own service's call to Snapshot,
// or from its Persister when it booted. Snapshots are compared by their
// bytes' hash.

// receipts records, for each server, the commands and snapshots sent to
// it. It is safe for concurrent use.
type receipts struct {
	mu        sync.Mutex
	sent      []map[receipt]int    // messages carrying a command to a server at an index, not known lost, and Starts
	running   []map[any]int        // Starts running on a server, by command
	snapshots []map[snapshotID]int // snapshots that reached a server, by hash

	// otherTypes is set once a command that is neither an int nor a
	// string has been given to Start: then every message is decoded.
	otherTypes bool
}

// A receipt is a command at an index of a server's log.
type receipt struct {
	index   int
	command any // commandKey's
}

func newReceipts(n int) *receipts {
	r := &receipts{sent: make([]map[receipt]int, n), running: make([]map[any]int, n), snapshots: make([]map[snapshotID]int, n)}
	for i := range n {
		r.sent[i] = map[receipt]int{}
		r.running[i] = map[any]int{}
		r.snapshots[i] = map[snapshotID]int{}
	}
	return r
}

// entriesType is what the receipts read of an AppendEntries: a field for
// each spelling of the previous log index and of the entries that the
// harness accepts (package probe), each entry with a field for each spelling of
// its command. It is built from those lists, so that what the probes
// accept and what the receipts read never differ. entriesTypeUnsigned is
// the same for a Raft whose indexes are unsigned: gob carries an unsigned
// integer only into an unsigned field.
var entriesType, entriesTypeUnsigned = entriesStruct(reflect.TypeFor[int]()), entriesStruct(reflect.TypeFor[uint64]())

func entriesStruct(index reflect.Type) reflect.Type {
	var entry []reflect.StructField
	for _, name := range probe.CommandField.Names {
		entry = append(entry, reflect.StructField{Name: name, Type: reflect.TypeFor[any]()})
	}
	entries := reflect.SliceOf(reflect.StructOf(entry))
	var fields []reflect.StructField
	for _, name := range probe.PrevLogIndexField.Names {
		fields = append(fields, reflect.StructField{Name: name, Type: index})
	}
	for _, name := range probe.EntriesField.Names {
		fields = append(fields, reflect.StructField{Name: name, Type: entries})
	}
	return reflect.StructOf(fields)
}

// The decoders of entriesType and entriesTypeUnsigned (labgob.Messages).
var entriesDecoders, unsignedEntriesDecoders labgob.Messages

// decodeEntries reads the commands an AppendEntries carries, and the index
// of the first.
func decodeEntries(data []byte) (first int, commands []any, ok bool) {
	msg := reflect.New(entriesType)
	if entriesDecoders.Decode(data, msg.Interface()) != nil {
		msg = reflect.New(entriesTypeUnsigned)
		if unsignedEntriesDecoders.Decode(data, msg.Interface()) != nil {
			return 0, nil, false
		}
	}
	m := msg.Elem()
	prev := 0
	for _, name := range probe.PrevLogIndexField.Names {
		if f := m.FieldByName(name); f.CanInt() && f.Int() != 0 {
			prev = int(f.Int())
			break
		} else if f.CanUint() && f.Uint() != 0 {
			prev = int(f.Uint())
			break
		}
	}
	for _, name := range probe.EntriesField.Names {
		entries := m.FieldByName(name)
		for k := range entries.Len() {
			var command any
			for _, c := range probe.CommandField.Names {
				if v := entries.Index(k).FieldByName(c); !v.IsNil() {
					command = v.Interface()
					break
				}
			}
			commands = append(commands, command)
		}
	}
	return prev + 1, commands, true
}

// observe reads one network event: an AppendEntries to a server sent, or
// lost before its handler ran.
func (r *receipts) observe(ev *history.Event) {
	var delta int
	switch ev.Kind {
	case labrpc.Sent:
		delta = 1
	case labrpc.RequestDropped, labrpc.Unreachable:
		delta = -1
	default:
		return
	}
	_, method, _ := strings.Cut(ev.Method, ".")
	if method != "AppendEntries" && method != "InstallSnapshot" {
		return
	}
	to, ok := history.ServerNumber(ev.Server)
	if !ok || to < 0 || to >= len(r.sent) {
		return
	}
	if method == "InstallSnapshot" {
		var f snapshotFields
		if snapshotDecoders.Decode(ev.Args, &f) == nil {
			r.mu.Lock()
			defer r.mu.Unlock()
			for _, data := range [][]byte{f.Data, f.Snapshot, f.SnapshotData} {
				if len(data) > 0 {
					r.snapshots[to][snapshotKey(data)] += delta
				}
			}
		}
		return
	}
	if !r.mayCarryCommands(ev.Args) {
		return // a heartbeat: decoding it would find nothing
	}
	first, commands, ok := decodeEntries(ev.Args)
	if !ok || len(commands) == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for k, cmd := range commands {
		if cmd != nil {
			r.sent[to][receipt{first + k, commandKey(cmd)}] += delta
		}
	}
}

// starting records that Start is being called on server i with command.
func (r *receipts) starting(i int, command any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.running[i][commandKey(command)]++
	switch command.(type) {
	case int, string:
	default:
		r.otherTypes = true
	}
}

// Gob writes an interface value as its concrete type's name, then the
// value: an entry holding one of the tests' commands (an int or a string)
// carries the name "int" or "string", each after its length. A message
// with neither name holds no such entry, and is not decoded: most
// AppendEntries are heartbeats, and decoding entries is most of what the
// receipts cost.
var (
	intName    = []byte("\x03int")
	stringName = []byte("\x06string")
)

// mayCarryCommands reports whether an encoded AppendEntries may carry
// commands of the tests.
func (r *receipts) mayCarryCommands(args []byte) bool {
	r.mu.Lock()
	other := r.otherTypes
	r.mu.Unlock()
	return other || bytes.Contains(args, intName) || bytes.Contains(args, stringName)
}

// started records what the Start on server i with command answered.
func (r *receipts) started(i int, command any, index int, isLeader bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	key := commandKey(command)
	r.running[i][key]--
	if isLeader {
		r.sent[i][receipt{index, key}]++
	}
}

// has reports whether command reached server i at index.
func (r *receipts) has(i, index int, command any) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	key := commandKey(command)
	return r.sent[i][receipt{index, key}] > 0 || r.running[i][key] > 0
}

// indexesOf returns the indexes at which command reached server i, lowest
// first.
func (r *receipts) indexesOf(i int, command any) []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	key := commandKey(command)
	var indexes []int
	for rc, n := range r.sent[i] {
		if n > 0 && rc.command == key {
			indexes = append(indexes, rc.index)
		}
	}
	slices.Sort(indexes)
	return indexes
}

// snapshotFields is what the receipts read of an InstallSnapshot.
type snapshotFields struct{ Data, Snapshot, SnapshotData []byte }

// The decoders of snapshotFields (labgob.Messages).
var snapshotDecoders labgob.Messages

// snapshotHeld records that server i has data as its snapshot without the
// network: its service gave it to Snapshot, or its Persister held it at
// boot.
func (r *receipts) snapshotHeld(i int, data []byte) {
	if len(data) == 0 {
		return
	}
	key := snapshotKey(data)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.snapshots[i][key]++
}

// hasSnapshot reports whether data reached server i.
func (r *receipts) hasSnapshot(i int, data []byte) bool {
	key := snapshotKey(data)
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.snapshots[i][key] > 0
}

// unreceivedSnapshot is the failure of server i handing its service a
// snapshot through index that never reached it.
func unreceivedSnapshot(i, index, size int) error {
	return violation("snapshot replication", "s%d sent its service a snapshot through index %d on applyCh (%d bytes), "+
		"but those bytes never reached it: no InstallSnapshot sent to it carried them in its Data, its Persister "+
		"did not hold them when it booted, and its service did not give them to Snapshot. A follower gets its "+
		"leader's snapshot in InstallSnapshot's data (Figure 13, receiver implementation: \"Save snapshot file\"); "+
		"the servers run in one process, but a snapshot taken from another server's memory (a variable they "+
		"share) was not sent", i, index, size)
}

// commandKey is command as a map key: itself if its type is comparable,
// its Go syntax otherwise.
func commandKey(command any) any {
	if command == nil || reflect.TypeOf(command).Comparable() {
		return command
	}
	return fmt.Sprintf("%T %#v", command, command)
}

// unreceived is the failure of server i applying command at index though
// no message carried it there and no Start put it there.
func unreceived(i, index int, command any) error {
	return violation("log replication", "s%d applied %s at index %d, but it never received that command at that "+
		"index: no AppendEntries sent to it carried it there, and no Start on it returned that index for it. A "+
		"follower learns each entry from its leader's AppendEntries (Figure 2, AppendEntries RPC, receiver "+
		"implementation 4: \"Append any new entries not already in the log\"); the servers run in one process, but "+
		"an entry taken from another server's memory (a variable they share) was not replicated",
		i, commandText(command), index)
}
