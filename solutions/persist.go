package solutions

import (
	"bytes"
	"fmt"

	"raftlabs/labgob"
)

// Lab 3: persistence. Figure 2's "Persistent state on all servers":
// currentTerm, votedFor and log[], "updated on stable storage before
// responding to RPCs".

// persist saves currentTerm, votedFor and log. Call it with mu held, after
// every change to them and before the change is made visible to another
// server (an RPC reply or request). Nothing is saved once Kill has been
// called: a killed server's late write must not reach its next incarnation.
//
// The saved state is the three numbers, then the log's length and its
// entries, each entry a gob value of its own, so that readPersist can
// decode them one by one. The entries' encoding comes from encodedLog,
// which keeps it from one save to the next, after room for the numbers
// (see below).
func (rf *Raft) persist() {
	if rf.killed() {
		return
	}
	state := rf.encodedLog() // headerRoom bytes of room, then the entries
	w, e := rf.header.reset()
	if err := e.Encode(rf.currentTerm); err != nil {
		panic(fmt.Sprintf("persist: encoding currentTerm: %v", err))
	}
	if err := e.Encode(rf.votedFor); err != nil {
		panic(fmt.Sprintf("persist: encoding votedFor: %v", err))
	}
	// Lab 4: the snapshot's last included index; its term is the dummy
	// log[0]'s. Save replaces the state and the snapshot together, so the
	// two always describe the same log.
	if err := e.Encode(rf.snapshotIndex); err != nil {
		panic(fmt.Sprintf("persist: encoding snapshotIndex: %v", err))
	}
	if err := e.Encode(len(rf.log)); err != nil {
		panic(fmt.Sprintf("persist: encoding the log's length: %v", err))
	}
	// The numbers go at the end of the room, just before the entries: the
	// state is put together where the entries already are, not copied.
	// Save copies it.
	start := headerRoom - w.Len()
	if start < 0 {
		panic(fmt.Sprintf("persist: the numbers take %d bytes, more than the %d of headerRoom", w.Len(), headerRoom))
	}
	copy(state[start:], w.Bytes())
	rf.persister.Save(state[start:], rf.snapshot)
}

// readPersist restores what persist saved. data is nil on a first boot,
// and then the server starts from term 0 with an empty log.
func (rf *Raft) readPersist(data []byte) {
	if len(data) == 0 {
		return
	}
	d := labgob.NewDecoder(bytes.NewBuffer(data))
	var currentTerm, votedFor, snapshotIndex, length int
	if err := d.Decode(&currentTerm); err != nil {
		panic(fmt.Sprintf("readPersist: decoding currentTerm: %v", err))
	}
	if err := d.Decode(&votedFor); err != nil {
		panic(fmt.Sprintf("readPersist: decoding votedFor: %v", err))
	}
	if err := d.Decode(&snapshotIndex); err != nil {
		panic(fmt.Sprintf("readPersist: decoding snapshotIndex: %v", err))
	}
	if err := d.Decode(&length); err != nil {
		panic(fmt.Sprintf("readPersist: decoding the log's length: %v", err))
	}
	log := make([]LogEntry, length)
	for i := range log {
		if err := d.Decode(&log[i]); err != nil {
			panic(fmt.Sprintf("readPersist: decoding log[%d] of %d: %v", i, length, err))
		}
	}
	rf.currentTerm = currentTerm
	rf.votedFor = votedFor
	rf.log = log
	rf.snapshotIndex = snapshotIndex
}

// ---------------------------------------------------------------------
// Not in Figure 2: saving the log without encoding all of it each time.
//
// The Persister's Save replaces the whole state, so every save must hold
// the whole log, and the usual persist (the one lab 3's handout describes)
// encodes all of it again each time. Each new entry then costs as much as
// the log is long: on this reference, a fifth of lab 5's time went there.
// But the log changes almost only at its end, as a real server's log file
// does, which it appends to. So persist keeps the log's encoding from one
// save to the next and adds only the entries appended since. It starts
// again, with the whole log, after a restart, when entries are deleted
// (truncateFrom) and when a snapshot replaces the log's start.

// logEncoding is the encoding of a log's first entries: one gob stream, a
// value per entry, which encoder extends. A gob stream describes each type
// once, before its first value, so it can grow only at its end, and a
// decoder must read it from its start. The zero value holds nothing.
type logEncoding struct {
	first   int           // the index of log[0] when the stream was started
	entries int           // how many entries, from log[0], the stream holds
	stream  *bytes.Buffer // headerRoom bytes of room, then their encoding
	encoder *labgob.LabEncoder
}

// headerEncoding writes the numbers persist saves before the entries. They
// are ints, which gob writes without a definition of their type, so an
// encoder writes an int the same whatever it wrote before, and one encoder
// serves every save: a new encoder for each save cost as much as the rest
// of a short one.
type headerEncoding struct {
	buf     bytes.Buffer
	encoder *labgob.LabEncoder
}

// reset empties the buffer and returns it with the encoder that writes
// into it.
func (h *headerEncoding) reset() (*bytes.Buffer, *labgob.LabEncoder) {
	if h.encoder == nil {
		h.encoder = labgob.NewEncoder(&h.buf)
	}
	h.buf.Reset()
	return &h.buf, h.encoder
}

// headerRoom is the room before the entries' encoding in which persist
// writes the numbers that precede them in the saved state: four ints,
// which gob encodes in at most 12 bytes each (its message's length, its
// type, a zero and the value).
const headerRoom = 64

// largeEntry is the encoded size from which an entry is not kept in the
// stream: a gob encoder keeps a buffer as large as the largest value it has
// encoded, and the stream would be one more copy of the entry in memory.
// A log with an entry this large is encoded whole at every save, as the
// usual persist does.
const largeEntry = 64 << 10

// encodedLog returns headerRoom bytes for the caller to write into, then
// the encoding of rf.log, one gob value per entry, encoding only the
// entries appended since the last call when it can. Call it with mu held.
func (rf *Raft) encodedLog() []byte {
	enc := &rf.encoding
	if enc.stream == nil || enc.first != rf.firstIndex() || enc.entries > len(rf.log) {
		// Nothing kept, a snapshot moved the log's start, or entries were
		// deleted: what the stream holds is not a start of this log.
		stream := bytes.NewBuffer(make([]byte, headerRoom))
		*enc = logEncoding{first: rf.firstIndex(), stream: stream, encoder: labgob.NewEncoder(stream)}
	}
	keep := true
	for _, entry := range rf.log[enc.entries:] {
		before := enc.stream.Len()
		if err := enc.encoder.Encode(entry); err != nil {
			panic(fmt.Sprintf("persist: encoding the entry at index %d: %v", enc.first+enc.entries, err))
		}
		enc.entries++
		keep = keep && enc.stream.Len()-before < largeEntry
	}
	encoded := enc.stream.Bytes()
	if !keep {
		rf.encoding = logEncoding{}
	}
	return encoded
}
