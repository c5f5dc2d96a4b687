package installs

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"raftlabs/labrpc"
	"raftlabs/labtest/internal/history"
	"raftlabs/labtest/internal/words"
)

// Installs records the InstallSnapshots each server answered. It is safe
// for concurrent use.
type Installs struct {
	mu       sync.Mutex
	start    time.Time
	answered map[int][]installAnswered // server -> its latest, up to keptInstalls
}

// keptInstalls is how many of each server's latest InstallSnapshots the
// record keeps.
const keptInstalls = 16

// installAnswered is one InstallSnapshot a server answered.
type installAnswered struct {
	from    string // "s0", or "the harness"
	term    int
	through int // the snapshot's last included index
	at      time.Duration
}

// New returns an empty record, on a clock that starts now.
func New() *Installs {
	return &Installs{start: time.Now(), answered: map[int][]installAnswered{}}
}

// Observe reads one network event: an InstallSnapshot answered.
func (r *Installs) Observe(ev *history.Event) {
	if ev.Kind != labrpc.Delivered || !strings.HasSuffix(ev.Method, ".InstallSnapshot") {
		return
	}
	to, ok := history.ServerNumber(ev.Server)
	if !ok {
		return
	}
	term, through, ok := history.SnapshotThrough(ev.Args)
	if !ok {
		return
	}
	from := "the harness"
	if i, ok := history.EndSender(ev.End); ok {
		from = words.Server(i)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	kept := r.answered[to]
	if len(kept) == keptInstalls {
		kept = kept[1:]
	}
	r.answered[to] = append(kept, installAnswered{from, term, through, ev.Time.Sub(r.start)})
}

// Skipped explains server i applying index right after index last, having
// handed its service no snapshot past taken: it answered an InstallSnapshot
// through an index between the two. It returns "" if it answered none.
func (r *Installs) Skipped(i, last, index, taken int) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.answered[i] {
		if last < s.through && s.through < index && taken < s.through {
			return fmt.Sprintf("how it happened: s%d answered an InstallSnapshot through index %d from %s (term %d) at "+
				"%s, but sent its service no snapshot through index %d on applyCh: a server that takes a snapshot "+
				"hands it to its service (Figure 13, InstallSnapshot receiver rule 8: \"Reset state machine using "+
				"snapshot contents\")", i, s.through, s.from, s.term, words.Seconds(s.at), s.through)
		}
	}
	return ""
}

// Moved explains server i applying at index a command it had been sent
// only at other indexes, receivedAt: it answered an InstallSnapshot
// through an index below index, and kept log entries past it. It returns
// "" if it answered none.
func (r *Installs) Moved(i, index int, receivedAt []int) string {
	if len(receivedAt) == 0 {
		return ""
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.answered[i] {
		if s.through < index {
			return fmt.Sprintf("how it happened: s%d was sent that command at index %s, and answered an "+
				"InstallSnapshot through index %d from %s (term %d) at %s: the entries it kept past the snapshot "+
				"moved to other indexes. Unless an entry of its log has the snapshot's last included index and term, "+
				"a server discards its log (Figure 13, InstallSnapshot receiver rule 7: \"Discard the entire log\")",
				i, indexList(receivedAt), s.through, s.from, s.term, words.Seconds(s.at))
		}
	}
	return ""
}

// indexList writes indexes as "7", "7 or 9", "7, 8 or 9".
func indexList(indexes []int) string {
	var parts []string
	for _, x := range indexes {
		parts = append(parts, fmt.Sprint(x))
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " or " + parts[len(parts)-1]
}

// AnsweredSince reports whether server i answered an InstallSnapshot
// that was delivered after at (its handler may have run before or after
// any later moment up to then).
func (r *Installs) AnsweredSince(i int, at time.Duration) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.answered[i] {
		if s.at > at {
			return true
		}
	}
	return false
}
