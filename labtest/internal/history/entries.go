package history

import (
	"fmt"
	"reflect"

	"raftlabs/labgob"
	"raftlabs/labtest/internal/probe"
)

// The entries of an AppendEntries and the extent of an InstallSnapshot,
// read by name as the probes write them, for the observers that follow
// commands from server to server (what each server received, what leaders
// sent followers, what followers vouched for unsaved, the snapshots each
// answered): every one reads them here, and compares commands by
// CommandKey.

// entriesType is what Entries reads of an AppendEntries: a field for
// each spelling of the previous log index and of the entries that the
// harness accepts (package probe), each entry with a field for each spelling of
// its command. It is built from those lists, so that what the probes
// accept and what the harness reads never differ. entriesTypeUnsigned is
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

// The decoders of entriesType and entriesTypeUnsigned.
var entriesDecoders, unsignedEntriesDecoders labgob.Messages

// Entries reads the commands an encoded AppendEntries carries, and the
// index of the first; a command field it finds under none of the names is
// nil. ok is false if data is not an AppendEntries it can read.
func Entries(data []byte) (first int, commands []any, ok bool) {
	msg := reflect.New(entriesType)
	if entriesDecoders.Decode(data, msg.Interface()) != nil {
		msg = reflect.New(entriesTypeUnsigned)
		if unsignedEntriesDecoders.Decode(data, msg.Interface()) != nil {
			return 0, nil, false
		}
	}
	first, commands = entriesOf(msg.Elem())
	return first, commands, true
}

// entriesOf reads, from a decoded entriesType (or a struct with its
// fields, such as argsType), the index of the first entry and the
// commands.
func entriesOf(m reflect.Value) (first int, commands []any) {
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
	return prev + 1, commands
}

// installFields is what SnapshotThrough reads of an InstallSnapshot, in
// the spellings the harness's own InstallSnapshot accepts (package probe);
// a Raft whose fields have other types is not read.
type installFields struct {
	Term                                                         int
	LastIncludedIndex, LastIncludedIdx, SnapshotIndex, LastIndex int
}

// The decoders of installFields.
var installDecoders labgob.Messages

// SnapshotThrough reads an encoded InstallSnapshot's term and the last
// index its snapshot includes.
func SnapshotThrough(args []byte) (term, through int, ok bool) {
	var f installFields
	if installDecoders.Decode(args, &f) != nil {
		return 0, 0, false
	}
	return f.Term, max(f.LastIncludedIndex, f.LastIncludedIdx, f.SnapshotIndex, f.LastIndex), true
}

// CommandKey is command as a map key: itself if its type is comparable,
// its Go syntax otherwise.
func CommandKey(command any) any {
	if command == nil || reflect.TypeOf(command).Comparable() {
		return command
	}
	return fmt.Sprintf("%T %#v", command, command)
}
