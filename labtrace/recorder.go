package labtrace

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// A Recorder collects one test's records in memory, in the order they
// were added. The zero value is not usable; call NewRecorder.
type Recorder struct {
	mu      sync.Mutex
	start   time.Time
	records [][]Record // in arrays of chunkSize records (see add)
	count   int        // how many records the arrays hold
	sealed  bool
	bytes   int // the kept records' size, as recordSize counts it
	dropped int // records refused because the trace was full
}

// A trace is bounded: past MaxRecords records or MaxBytes bytes, a
// Recorder keeps only the records that end a test (Fail, End) and counts
// the rest as dropped, and it cuts the text of any other record (a debug
// line, a command) to MaxText bytes. A long test of a Raft that storms its
// peers with RPCs, or prints its whole log in every debug line, would
// otherwise fill memory and the disk: a trace file stays under about
// MaxBytes plus the size of its last records.
const (
	MaxRecords = 200_000
	MaxBytes   = 32 << 20
	MaxText    = 4 << 10
)

// chunkSize is how many records one of a Recorder's arrays holds. The
// records are kept in arrays of this size rather than in one slice, which
// would copy every record it holds each time it grew: a test records a
// record or two per RPC, thousands of them, and a record is a few hundred
// bytes.
const chunkSize = 256

// add appends rec and returns its position. r.mu must be held.
func (r *Recorder) add(rec Record) int {
	if r.count%chunkSize == 0 {
		r.records = append(r.records, make([]Record, 0, chunkSize))
	}
	last := &r.records[len(r.records)-1]
	*last = append(*last, rec)
	r.count++
	return r.count - 1
}

// NewRecorder returns an empty Recorder whose clock starts at start: a
// record's T is the time since start.
func NewRecorder(start time.Time) *Recorder {
	return &Recorder{start: start}
}

// Since returns how long ago the recorder's clock started.
func (r *Recorder) Since() time.Duration { return time.Since(r.start) }

// Add appends rec and returns its position, for Update. Unless rec.T is
// set, it is stamped with the time now. Add keeps nothing once the
// recorder is sealed, or full, and then returns -1.
func (r *Recorder) Add(rec Record) int {
	if rec.T == 0 {
		rec.T = Micros(time.Since(r.start))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.sealed {
		return -1
	}
	ends := rec.Kind == Fail || rec.Kind == End
	if !ends {
		rec.Text, rec.Command = cut(rec.Text), cut(rec.Command)
	}
	size := recordSize(rec)
	if !ends && (r.count >= MaxRecords || r.bytes+size > MaxBytes) {
		r.dropped++
		return -1
	}
	r.bytes += size
	return r.add(rec)
}

// cut returns text, or its first MaxText bytes and how many more there were.
func cut(text string) string {
	if len(text) <= MaxText {
		return text
	}
	return fmt.Sprintf("%s... [%d more bytes cut]", strings.ToValidUTF8(text[:MaxText], ""), len(text)-MaxText)
}

// recordSize is about the size of rec in a trace file: its texts and a
// line's worth for the rest.
func recordSize(rec Record) int {
	return 200 + len(rec.Text) + len(rec.Command) + len(rec.Where)
}

// Update changes the record at position id, as Add returned it: an RPC
// learns its fate. It works after Seal too. A negative id is ignored.
func (r *Recorder) Update(id int, change func(*Record)) {
	if id < 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if id < r.count {
		change(&r.records[id/chunkSize][id%chunkSize])
	}
}

// Seal adds rec, the record that ends the test, and refuses every later
// record. It returns false, adding nothing, if the recorder was already
// sealed: only the first end counts.
func (r *Recorder) Seal(rec Record) bool {
	if rec.T == 0 {
		rec.T = Micros(time.Since(r.start))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.sealed {
		return false
	}
	r.add(rec)
	r.sealed = true
	return true
}

// Sealed reports whether the recorder has been sealed.
func (r *Recorder) Sealed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.sealed
}

// Records returns a copy of the records so far, with the calls still
// waiting for a fate marked InFlight.
func (r *Recorder) Records() []Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	recs := make([]Record, 0, r.count)
	for _, chunk := range r.records {
		recs = append(recs, chunk...)
	}
	for k := range recs {
		if recs[k].Kind == RPC && recs[k].Fate == "" {
			recs[k].Fate = InFlight
		}
	}
	return recs
}

// Dropped returns how many records were refused because the trace was
// full.
func (r *Recorder) Dropped() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.dropped
}
