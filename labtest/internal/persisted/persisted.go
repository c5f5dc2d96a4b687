package persisted

import (
	"bytes"
	"time"

	"raftlabs/labtest/internal/testproc"
	"raftlabs/labtest/internal/words"
)

// Holds reports whether state and snapshot, what a server saved, hold
// command, as far as their bytes can tell: false only if they certainly
// do not. Every Raft of the course saves with labgob, and gob writes an
// integer or a string the same bytes wherever it sits (a field, an
// interface, a slice), so a command's own encoding must be among the
// saved bytes; a command of another type is taken to be there.
func Holds(state, snapshot []byte, command any) bool {
	needle, ok := gobBytes(command)
	return !ok || bytes.Contains(state, needle) || bytes.Contains(snapshot, needle)
}

// Forgotten checks the term a server booted with an empty Persister
// reported, against the term known it was in when it crashed at crashedAt.
func Forgotten(i, term, known int, crashedAt time.Duration) error {
	if term < known {
		return nil
	}
	return testproc.Violation("persistent state", "s%d, booted with an empty Persister (as if its disk were lost) before "+
		"its restart, reported term %d at once: it knew the term it was in when it crashed at %s (term %d) "+
		"without its Persister. A server's state across a crash must come from its Persister alone (Figure 2: "+
		"persistent state, \"updated on stable storage before responding to RPCs\"); the servers run in one "+
		"process, but state kept in a variable that outlives Kill was not persisted",
		i, term, words.Seconds(crashedAt), known).AboutLeaders()
}

// Unpersisted is the failure of server i, crashed at now, whose saved
// state (stateSize bytes, and a snapshot of snapshotSize) does not hold
// the command it applied at index; how, if not "", is how it vouched for
// that entry unsaved (unsaved.go), a line of its own.
func Unpersisted(i int, what string, index int, command any, stateSize, snapshotSize int, now time.Duration, how string) error {
	if how != "" {
		how = "\n" + how
	}
	return testproc.Violation("persistent state", "s%d %s at %s having applied %s at index %d, but what it had saved "+
		"(%d bytes of Raft state, a snapshot of %d bytes) does not hold that command: a server saves each log "+
		"entry before it answers the AppendEntries that carried it (Figure 2: the log is persistent state, "+
		"\"updated on stable storage before responding to RPCs\"), and a leader its own before it counts it "+
		"committed. The servers run in one process, but a log kept in a variable that outlives Kill was not "+
		"persisted%s", i, what, words.Seconds(now), words.Command(command), index, stateSize, snapshotSize, how)
}

// UnsavedSnapshot is the failure of server i, at now, whose saved state
// (stateSize bytes, and a snapshot of snapshotSize) does not hold the
// command at index of the snapshot through index through that it had
// installed from its leader.
func UnsavedSnapshot(i int, what string, through, index int, command any, stateSize, snapshotSize int, now time.Duration) error {
	return testproc.Violation("persistent state", "s%d %s at %s having installed its leader's snapshot through index %d "+
		"(sent to its service on applyCh), but what it had saved (%d bytes of Raft state, a snapshot of %d bytes) "+
		"does not hold %s, that snapshot's command at index %d: a follower saves the snapshot an InstallSnapshot "+
		"brings before it answers, with the Raft state that now starts after it (Figure 13, InstallSnapshot "+
		"receiver implementation 5: \"Save snapshot file\"). Persister.Save(state, snapshot) replaces both: a "+
		"persist that passes the Persister's old snapshot, or nil, loses the new one",
		i, what, words.Seconds(now), through, stateSize, snapshotSize, words.Command(command), index)
}

// gobBytes returns the bytes gob writes for command wherever it sits, if
// it is an integer or a string: an integer as a zigzag-coded unsigned
// integer (see gobUint), a string as its length and then its bytes.
func gobBytes(command any) ([]byte, bool) {
	switch v := command.(type) {
	case int:
		return gobInt(int64(v)), true
	case int64:
		return gobInt(v), true
	case string:
		return append(gobUnsigned(uint64(len(v))), v...), true
	}
	return nil, false
}

// gobInt is gob's encoding of a signed integer.
func gobInt(v int64) []byte {
	u := uint64(v) << 1
	if v < 0 {
		u = ^(uint64(v) << 1)
	}
	return gobUnsigned(u)
}

// gobUnsigned is gob's encoding of an unsigned integer.
func gobUnsigned(u uint64) []byte {
	if u < 0x80 {
		return []byte{byte(u)}
	}
	var b []byte
	for x := u; x > 0; x >>= 8 {
		b = append([]byte{byte(x)}, b...)
	}
	return append([]byte{byte(-int8(len(b)))}, b...)
}
