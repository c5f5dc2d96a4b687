package service

import (
	"errors"
	"fmt"
	"reflect"
	"sync"
	"time"

	"raftlabs/labtest/internal/words"
	"raftlabs/raftapi"
)

// killGrace is how soon after Kill a server's send on applyCh is still
// forgiven: a send already blocked when Kill was called.
const killGrace = 10 * time.Millisecond

// Checker watches every server's applyCh. It holds what each server
// has applied and records the first violation of the rules for applying:
// in index order, each index once, from index 1, the same command at an
// index on every server (state machine safety, paper §5.4.3), and nothing
// from a server after it was killed.
type Checker struct {
	mu          sync.Mutex
	start       time.Time
	logs        []map[int]any           // logs[i][index]: the command server i applied
	appliedAt   []map[int]time.Duration // appliedAt[i][index]: when, for server i's current instance
	unsafe      *Disagreement           // the first violation, if it is of state machine safety
	lastApplied []int                   // for each server's current instance
	generation  []int                   // each server's current instance
	killedAt    map[[2]int]time.Time
	highest     int
	first       string // the first violation, "" if none

	// Lab 4 (snapshots.go): the snapshots the service made, by their bytes'
	// hash, with the index each covers; the term each snapshotted index
	// was given first; and for each server's current instance, the index
	// of the snapshot it restarted with (0 if none).
	made          map[snapshotID]int
	snapshotTerms map[int]termSighting
	restoredFrom  []int
	installed     []int           // for each server, the index of the last snapshot it took in
	fromLeader    []int           // for each server's current instance, the index of the snapshot it sent on applyCh, until its service snapshots as far
	busy          []time.Duration // for each server, how long its service works on each message
	condAccepted  []int           // for each server's current instance, the last snapshot its CondInstallSnapshot took (2021)

	// received is what reached each server: every command it applies
	// must be there. Nil leaves that unchecked.
	received Receipts
	// installs, if not nil, is the InstallSnapshots each server answered,
	// which explain some failures.
	installs Installs
}

// Receipts is what reached each server over the network, as package
// receipts records it.
type Receipts interface {
	// CheckReceived returns the failure of server i applying command at
	// index if command never reached it there, or nil.
	CheckReceived(i, index int, command any) error
	// CheckSnapshotReceived is the same for a snapshot through index.
	CheckSnapshotReceived(i, index int, data []byte) error
	// IndexesOf returns the indexes at which command reached server i.
	IndexesOf(i int, command any) []int
}

// Installs is the InstallSnapshots each server answered, as package
// installs records them: they explain an entry skipped or moved.
type Installs interface {
	// Skipped explains server i applying index right after last, having
	// handed its service no snapshot past taken, or returns "".
	Skipped(i, last, index, taken int) string
	// Moved explains server i applying at index a command it was sent only
	// at receivedAt, or returns "".
	Moved(i, index int, receivedAt []int) string
}

// New returns the checker of a test of n servers. received and installs
// may be nil: then what reached the servers is not checked, and no
// failure is explained by an InstallSnapshot.
func New(n int, received Receipts, installs Installs) *Checker {
	a := &Checker{
		received:    received,
		installs:    installs,
		start:       time.Now(),
		logs:        make([]map[int]any, n),
		appliedAt:   make([]map[int]time.Duration, n),
		lastApplied: make([]int, n),
		generation:  make([]int, n),
		killedAt:    map[[2]int]time.Time{},

		made:          map[snapshotID]int{},
		snapshotTerms: map[int]termSighting{},
		restoredFrom:  make([]int, n),
		installed:     make([]int, n),
		fromLeader:    make([]int, n),
		busy:          make([]time.Duration, n),
		condAccepted:  make([]int, n),
	}
	for i := range a.logs {
		a.logs[i] = map[int]any{}
		a.appliedAt[i] = map[int]time.Duration{}
	}
	return a
}

// Boot records a new instance of server i, which applies from the start.
func (a *Checker) Boot(i, gen int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.generation[i] = gen
	a.lastApplied[i] = 0
	a.appliedAt[i] = map[int]time.Duration{}
	a.restoredFrom[i] = 0
	a.condAccepted[i] = 0
	a.fromLeader[i] = 0
}

// Closed records that instance gen of server i closed its applyCh: it may
// do so once it is killed, and must send nothing after.
func (a *Checker) Closed(i, gen int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, dead := a.killedAt[[2]int{i, gen}]; !dead {
		a.fail("s%d closed its applyCh while it was running: close it, if at all, only once Kill has been called", i)
	}
}

// Killed records that instance gen of server i was killed now.
func (a *Checker) Killed(i, gen int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.killedAt[[2]int{i, gen}] = time.Now()
}

// fail records a violation if it is the first. Call it with a.mu held.
func (a *Checker) fail(format string, args ...any) {
	if a.first == "" {
		a.first = fmt.Sprintf(format, args...)
	}
}

// FailWith records err as a violation if it is the first.
func (a *Checker) FailWith(err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.fail("%v", err)
}

// Receive checks one message from instance gen of server i. It reports
// whether the message was a command applied in its place: one after which
// the service may snapshot.
func (a *Checker) Receive(i, gen int, m raftapi.ApplyMsg) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if at, dead := a.killedAt[[2]int{i, gen}]; dead {
		if late := time.Since(at); late > killGrace {
			a.fail("s%d sent on applyCh %s after it was killed (index %d): a killed server must send nothing more; "+
				"check killed() before each send", i, words.Seconds(late), m.CommandIndex)
		}
		return false
	}
	if gen != a.generation[i] {
		return false
	}
	restored := a.restoredFrom[i]
	a.restoredFrom[i] = 0 // the rule for a restarted server's first message holds for one message
	if m.SnapshotValid {
		if err := a.snapshotMessage(i, m.SnapshotIndex, m.SnapshotTerm, m.Snapshot); err != nil {
			a.fail("%v", err)
		}
		return false
	}
	if !m.CommandValid {
		return false
	}
	index := m.CommandIndex
	if index > 0 && index <= a.condAccepted[i] {
		// A 2021 Raft's entry sent before its CondInstallSnapshot took a
		// later snapshot: MIT's 2021 service skipped it, and so does this.
		return false
	}
	switch last := a.lastApplied[i]; {
	case index <= 0:
		a.fail("s%d applied index %d: log indexes start at 1 (index 0 is not a real entry)", i, index)
		return false
	case index <= last && restored > 0:
		a.fail("s%d applied index %d as its first message after a restart, but the snapshot it restarted with "+
			"already covers the log through index %d: at boot, a server's lastApplied (and commitIndex) start at "+
			"its snapshot's last included index, and it applies only the entries after it", i, index, restored)
		return false
	case index <= last:
		a.fail("s%d applied index %d again after index %d: each index must be applied exactly once, in order", i, index, last)
		return false
	case index > last+1:
		a.fail("s%d applied index %d right after index %d%s: entries must be applied in index order, none skipped%s",
			i, index, last, a.afterSnapshot(i, last), a.howSkipped(i, last, index))
		return false
	}
	if err := a.checkReceived(i, index, m.Command); err != nil {
		if a.installs != nil {
			if how := a.installs.Moved(i, index, a.received.IndexesOf(i, m.Command)); how != "" {
				err = fmt.Errorf("%w\n%s", err, how)
			}
		}
		a.fail("%v", err)
		return false
	}
	if err := a.agreesLocked(index, m.Command, i); err != nil {
		if a.first == "" {
			a.unsafe = &Disagreement{Index: index, Servers: [2]int{a.appliedByLocked(index), i},
				Commands: [2]any{a.appliedLocked(index), m.Command},
				At:       [2]time.Duration{a.appliedAt[a.appliedByLocked(index)][index], time.Since(a.start)}}
		}
		a.fail("state machine safety: index %d was applied as %s on s%d but as %s on s%d",
			index, words.Command(a.appliedLocked(index)), a.appliedByLocked(index), words.Command(m.Command), i)
		return false
	}
	a.logs[i][index] = m.Command
	a.appliedAt[i][index] = time.Since(a.start)
	a.lastApplied[i] = index
	a.highest = max(a.highest, index)
	return true
}

// checkReceived returns the failure of server i applying command at
// index if it never reached it there, or nil.
func (a *Checker) checkReceived(i, index int, command any) error {
	if a.received == nil {
		return nil
	}
	return a.received.CheckReceived(i, index, command)
}

// howSkipped explains server i applying index right after last, as a line
// of its own, if the InstallSnapshots it answered do; "" if not.
func (a *Checker) howSkipped(i, last, index int) string {
	if a.installs == nil {
		return ""
	}
	if how := a.installs.Skipped(i, last, index, a.installed[i]); how != "" {
		return "\n" + how
	}
	return ""
}

// afterSnapshot says, for a message about server i's lastApplied last,
// whether last came from a snapshot: " (the end of its snapshot)".
func (a *Checker) afterSnapshot(i, last int) string {
	if last > 0 && a.installed[i] == last {
		return " (the last index of its snapshot)"
	}
	return ""
}

// appliedLocked returns the command some server applied at index.
func (a *Checker) appliedLocked(index int) any {
	_, by := a.firstAppliedLocked(index)
	return by
}

// appliedByLocked returns the first server that applied index.
func (a *Checker) appliedByLocked(index int) int {
	j, _ := a.firstAppliedLocked(index)
	return j
}

func (a *Checker) firstAppliedLocked(index int) (int, any) {
	for j, log := range a.logs {
		if cmd, ok := log[index]; ok {
			return j, cmd
		}
	}
	return -1, nil
}

// commandsEqual reports whether two commands are the same.
func commandsEqual(a, b any) bool { return reflect.DeepEqual(a, b) }

// A Disagreement is two servers applying different commands at one index:
// servers[k] applied commands[k] there at at[k].
type Disagreement struct {
	Index    int
	Servers  [2]int
	Commands [2]any
	At       [2]time.Duration
}

// UnsafeFirst returns the first violation seen if it is of state machine
// safety, or nil.
func (a *Checker) UnsafeFirst() *Disagreement {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.unsafe
}

// Problem returns the first violation seen, or nil.
func (a *Checker) Problem() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.first == "" {
		return nil
	}
	return errors.New(a.first)
}

// MaxIndex returns the highest index any server has applied.
func (a *Checker) MaxIndex() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.highest
}

// Committed returns how many servers have applied index, and the command.
func (a *Checker) Committed(index int) (count int, command any) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, log := range a.logs {
		if cmd, ok := log[index]; ok {
			count++
			command = cmd
		}
	}
	return count, command
}

// Applied returns the command server i applied at index.
func (a *Checker) Applied(i, index int) (command any, ok bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	command, ok = a.logs[i][index]
	return command, ok
}

// An Entry is a command a server applied, and where.
type Entry struct {
	Index   int
	Command any
}

// Latest returns up to k of the commands server i's current instance has
// applied, the latest first.
func (a *Checker) Latest(i, k int) []Entry {
	a.mu.Lock()
	defer a.mu.Unlock()
	var es []Entry
	for index := a.lastApplied[i]; index > 0 && len(es) < k; index-- {
		cmd, ok := a.logs[i][index]
		if !ok {
			break // from here on, the instance's snapshot
		}
		es = append(es, Entry{index, cmd})
	}
	return es
}

// LastAppliedBefore returns the highest index server i's current instance
// had applied before at, its command, and when it applied it.
func (a *Checker) LastAppliedBefore(i int, at time.Duration) (index int, command any, when time.Duration, ok bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for x, t := range a.appliedAt[i] {
		if t < at && x > index {
			index, when, ok = x, t, true
		}
	}
	if ok {
		command, ok = a.logs[i][index]
	}
	return index, command, when, ok
}
