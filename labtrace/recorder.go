package labtrace

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// A Recorder collects one test's records in memory, in the order they
// were added. The zero value is not usable; call NewRecorder.
type Recorder struct {
	mu      sync.Mutex
	start   time.Time
	records []Record
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
	if !ends && (len(r.records) >= MaxRecords || r.bytes+size > MaxBytes) {
		r.dropped++
		return -1
	}
	r.bytes += size
	r.records = append(r.records, rec)
	return len(r.records) - 1
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
	if id < len(r.records) {
		change(&r.records[id])
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
	r.records = append(r.records, rec)
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
	recs := slices.Clone(r.records)
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
