package labtrace

import (
	"slices"
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
	dropped int // records refused because the trace was full
}

// MaxRecords bounds a trace: past it, a Recorder keeps only the records
// that end a test (Fail, End) and counts the rest as dropped. A long test
// of a Raft that storms its peers with RPCs would otherwise fill memory.
const MaxRecords = 200_000

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
	if len(r.records) >= MaxRecords && rec.Kind != Fail && rec.Kind != End {
		r.dropped++
		return -1
	}
	r.records = append(r.records, rec)
	return len(r.records) - 1
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
