package receipts

import (
	"bytes"
	"crypto/sha256"
	"slices"
	"strings"
	"sync"

	"raftlabs/labgob"
	"raftlabs/labrpc"
	"raftlabs/labtest/internal/history"
	"raftlabs/labtest/internal/testproc"
	"raftlabs/labtest/internal/words"
)

// Receipts records, for each server, the commands and snapshots sent to
// it. It is safe for concurrent use.
type Receipts struct {
	mu        sync.Mutex
	sent      []map[receipt]int           // messages carrying a command to a server at an index, not known lost, and Starts
	running   []map[any]int               // Starts running on a server, by command
	snapshots []map[[sha256.Size]byte]int // snapshots that reached a server, by hash

	// otherTypes is set once a command that is neither an int nor a
	// string has been given to Start: then every message is decoded.
	otherTypes bool
}

// A receipt is a command at an index of a server's log.
type receipt struct {
	index   int
	command any // commandKey's
}

// New returns the receipts of a test of n servers, with nothing received.
func New(n int) *Receipts {
	r := &Receipts{sent: make([]map[receipt]int, n), running: make([]map[any]int, n), snapshots: make([]map[[sha256.Size]byte]int, n)}
	for i := range n {
		r.sent[i] = map[receipt]int{}
		r.running[i] = map[any]int{}
		r.snapshots[i] = map[[sha256.Size]byte]int{}
	}
	return r
}

// Observe reads one network event: an AppendEntries to a server sent, or
// lost before its handler ran.
func (r *Receipts) Observe(ev *history.Event) {
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
					r.snapshots[to][sha256.Sum256(data)] += delta
				}
			}
		}
		return
	}
	if !r.MayCarryCommands(ev.Args) {
		return // a heartbeat: decoding it would find nothing
	}
	first, commands, ok := ev.Entries()
	if !ok || len(commands) == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for k, cmd := range commands {
		if cmd != nil {
			r.sent[to][receipt{first + k, history.CommandKey(cmd)}] += delta
		}
	}
}

// Starting records that Start is being called on server i with command.
func (r *Receipts) Starting(i int, command any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.running[i][history.CommandKey(command)]++
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

// MayCarryCommands reports whether an encoded AppendEntries may carry
// commands of the tests.
func (r *Receipts) MayCarryCommands(args []byte) bool {
	r.mu.Lock()
	other := r.otherTypes
	r.mu.Unlock()
	return other || bytes.Contains(args, intName) || bytes.Contains(args, stringName)
}

// Started records what the Start on server i with command answered.
func (r *Receipts) Started(i int, command any, index int, isLeader bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	key := history.CommandKey(command)
	r.running[i][key]--
	if isLeader {
		r.sent[i][receipt{index, key}]++
	}
}

// CheckReceived returns the failure of server i applying command at index
// if command never reached it there, or nil.
func (r *Receipts) CheckReceived(i, index int, command any) error {
	if r.has(i, index, command) {
		return nil
	}
	return unreceived(i, index, command)
}

// CheckSnapshotReceived returns the failure of server i handing its
// service data, a snapshot through index, if data never reached it, or
// nil.
func (r *Receipts) CheckSnapshotReceived(i, index int, data []byte) error {
	if r.hasSnapshot(i, data) {
		return nil
	}
	return unreceivedSnapshot(i, index, len(data))
}

// has reports whether command reached server i at index.
func (r *Receipts) has(i, index int, command any) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	key := history.CommandKey(command)
	return r.sent[i][receipt{index, key}] > 0 || r.running[i][key] > 0
}

// IndexesOf returns the indexes at which command reached server i, lowest
// first.
func (r *Receipts) IndexesOf(i int, command any) []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	key := history.CommandKey(command)
	var indexes []int
	for rc, n := range r.sent[i] {
		if n > 0 && rc.command == key {
			indexes = append(indexes, rc.index)
		}
	}
	slices.Sort(indexes)
	return indexes
}

// snapshotFields is what the Receipts read of an InstallSnapshot.
type snapshotFields struct{ Data, Snapshot, SnapshotData []byte }

// The decoders of snapshotFields (labgob.Messages: compiled once per message type).
var snapshotDecoders labgob.Messages

// SnapshotHeld records that server i has data as its snapshot without the
// network: its service gave it to Snapshot, or its Persister held it at
// boot.
func (r *Receipts) SnapshotHeld(i int, data []byte) {
	if len(data) == 0 {
		return
	}
	key := sha256.Sum256(data)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.snapshots[i][key]++
}

// hasSnapshot reports whether data reached server i.
func (r *Receipts) hasSnapshot(i int, data []byte) bool {
	key := sha256.Sum256(data)
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.snapshots[i][key] > 0
}

// unreceivedSnapshot is the failure of server i handing its service a
// snapshot through index that never reached it.
func unreceivedSnapshot(i, index, size int) error {
	return testproc.Violation("snapshot replication", "s%d sent its service a snapshot through index %d on applyCh (%d bytes), "+
		"but those bytes never reached it: no InstallSnapshot sent to it carried them in its Data, its Persister "+
		"did not hold them when it booted, and its service did not give them to Snapshot. A follower gets its "+
		"leader's snapshot in InstallSnapshot's data (Figure 13, receiver implementation: \"Save snapshot file\"); "+
		"the servers run in one process, but a snapshot taken from another server's memory (a variable they "+
		"share) was not sent", i, index, size)
}

// unreceived is the failure of server i applying command at index though
// no message carried it there and no Start put it there.
func unreceived(i, index int, command any) error {
	return testproc.Violation("log replication", "s%d applied %s at index %d, but it never received that command at that "+
		"index: no AppendEntries sent to it carried it there, and no Start on it returned that index for it. A "+
		"follower learns each entry from its leader's AppendEntries (Figure 2, AppendEntries RPC, receiver "+
		"implementation 4: \"Append any new entries not already in the log\"); the servers run in one process, but "+
		"an entry taken from another server's memory (a variable they share) was not replicated",
		i, words.Command(command), index)
}
