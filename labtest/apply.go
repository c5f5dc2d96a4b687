package labtest

import (
	"errors"
	"fmt"
	"reflect"
	"sync"
	"time"

	"raftlabs/labtest/internal/stacks"
	"raftlabs/raftapi"
)

// killGrace is how soon after Kill a server's send on applyCh is still
// forgiven: a send already blocked when Kill was called.
const killGrace = 10 * time.Millisecond

// applyChecker watches every server's applyCh. It holds what each server
// has applied and records the first violation of the rules for applying:
// in index order, each index once, from index 1, the same command at an
// index on every server (state machine safety, paper §5.4.3), and nothing
// from a server after it was killed.
type applyChecker struct {
	mu          sync.Mutex
	start       time.Time
	logs        []map[int]any           // logs[i][index]: the command server i applied
	appliedAt   []map[int]time.Duration // appliedAt[i][index]: when, for server i's current instance
	unsafe      *disagreement           // the first violation, if it is of state machine safety
	lastApplied []int                   // for each server's current instance
	generation  []int                   // each server's current instance
	killedAt    map[[2]int]time.Time
	highest     int
	first       string // the first violation, "" if none

	// Lab 4 (service.go): the snapshots the service made, by their bytes'
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

	// received is what reached each server (received.go): every command
	// it applies must be there. Nil leaves that unchecked.
	received *receipts
	// installs, if not nil, is the InstallSnapshots each server answered
	// (installed.go), which explain some failures.
	installs *installs
}

func newApplyChecker(n int) *applyChecker {
	a := &applyChecker{
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

// boot records a new instance of server i, which applies from the start.
func (a *applyChecker) boot(i, gen int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.generation[i] = gen
	a.lastApplied[i] = 0
	a.appliedAt[i] = map[int]time.Duration{}
	a.restoredFrom[i] = 0
	a.condAccepted[i] = 0
	a.fromLeader[i] = 0
}

// closed records that instance gen of server i closed its applyCh: it may
// do so once it is killed, and must send nothing after.
func (a *applyChecker) closed(i, gen int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, dead := a.killedAt[[2]int{i, gen}]; !dead {
		a.fail("s%d closed its applyCh while it was running: close it, if at all, only once Kill has been called", i)
	}
}

// killed records that instance gen of server i was killed now.
func (a *applyChecker) killed(i, gen int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.killedAt[[2]int{i, gen}] = time.Now()
}

// fail records a violation if it is the first. Call it with a.mu held.
func (a *applyChecker) fail(format string, args ...any) {
	if a.first == "" {
		a.first = fmt.Sprintf(format, args...)
	}
}

// failWith records err as a violation if it is the first.
func (a *applyChecker) failWith(err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.fail("%v", err)
}

// receive checks one message from instance gen of server i. It reports
// whether the message was a command applied in its place: one after which
// the service may snapshot.
func (a *applyChecker) receive(i, gen int, m raftapi.ApplyMsg) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if at, dead := a.killedAt[[2]int{i, gen}]; dead {
		if late := time.Since(at); late > killGrace {
			a.fail("s%d sent on applyCh %s after it was killed (index %d): a killed server must send nothing more; "+
				"check killed() before each send", i, seconds(late), m.CommandIndex)
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
	if a.received != nil && !a.received.has(i, index, m.Command) {
		err := unreceived(i, index, m.Command)
		if a.installs != nil {
			if how := a.installs.moved(i, index, a.received.indexesOf(i, m.Command)); how != "" {
				err = fmt.Errorf("%w\n%s", err, how)
			}
		}
		a.fail("%v", err)
		return false
	}
	if err := a.agreesLocked(index, m.Command, i); err != nil {
		if a.first == "" {
			a.unsafe = &disagreement{index: index, servers: [2]int{a.appliedByLocked(index), i},
				commands: [2]any{a.appliedLocked(index), m.Command},
				at:       [2]time.Duration{a.appliedAt[a.appliedByLocked(index)][index], time.Since(a.start)}}
		}
		a.fail("state machine safety: index %d was applied as %s on s%d but as %s on s%d",
			index, commandText(a.appliedLocked(index)), a.appliedByLocked(index), commandText(m.Command), i)
		return false
	}
	a.logs[i][index] = m.Command
	a.appliedAt[i][index] = time.Since(a.start)
	a.lastApplied[i] = index
	a.highest = max(a.highest, index)
	return true
}

// howSkipped explains server i applying index right after last, as a line
// of its own, if the InstallSnapshots it answered do; "" if not.
func (a *applyChecker) howSkipped(i, last, index int) string {
	if a.installs == nil {
		return ""
	}
	if how := a.installs.skipped(i, last, index, a.installed[i]); how != "" {
		return "\n" + how
	}
	return ""
}

// afterSnapshot says, for a message about server i's lastApplied last,
// whether last came from a snapshot: " (the end of its snapshot)".
func (a *applyChecker) afterSnapshot(i, last int) string {
	if last > 0 && a.installed[i] == last {
		return " (the last index of its snapshot)"
	}
	return ""
}

// appliedLocked returns the command some server applied at index.
func (a *applyChecker) appliedLocked(index int) any {
	_, by := a.firstAppliedLocked(index)
	return by
}

// appliedByLocked returns the first server that applied index.
func (a *applyChecker) appliedByLocked(index int) int {
	j, _ := a.firstAppliedLocked(index)
	return j
}

func (a *applyChecker) firstAppliedLocked(index int) (int, any) {
	for j, log := range a.logs {
		if cmd, ok := log[index]; ok {
			return j, cmd
		}
	}
	return -1, nil
}

// commandsEqual reports whether two commands are the same.
func commandsEqual(a, b any) bool { return reflect.DeepEqual(a, b) }

// A disagreement is two servers applying different commands at one index:
// servers[k] applied commands[k] there at at[k].
type disagreement struct {
	index    int
	servers  [2]int
	commands [2]any
	at       [2]time.Duration
}

// unsafeFirst returns the first violation seen if it is of state machine
// safety, or nil.
func (a *applyChecker) unsafeFirst() *disagreement {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.unsafe
}

// problem returns the first violation seen, or nil.
func (a *applyChecker) problem() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.first == "" {
		return nil
	}
	return errors.New(a.first)
}

// maxIndex returns the highest index any server has applied.
func (a *applyChecker) maxIndex() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.highest
}

// committed returns how many servers have applied index, and the command.
func (a *applyChecker) committed(index int) (count int, command any) {
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

// applied returns the command server i applied at index.
func (a *applyChecker) applied(i, index int) (command any, ok bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	command, ok = a.logs[i][index]
	return command, ok
}

// commandText shows a command in a failure, shortening long ones.
func commandText(cmd any) string {
	s := fmt.Sprintf("%#v", cmd)
	if len(s) > 40 {
		s = s[:30] + fmt.Sprintf("...(%d bytes)", len(s))
	}
	return s
}

// drain reads instance gen of server i's applyCh for the whole test, as
// the service above Raft would, and hands every message to the checker.
// Like a real service it calls back into its server after each message
// (GetState, as a key/value server asks whether it still leads), so a Raft
// that sends on applyCh while holding its lock deadlocks here as it would
// there. A closed applyCh is the end of that instance's messages.
func (c *Cluster) drain(i, gen int, applyCh chan raftapi.ApplyMsg) {
	c.run.helper()
	c.run.readers.Store(stacks.Current().ID, i)
	c.drains.Add(1)
	defer c.drains.Add(-1)
	c.restoreService(i, gen)
	for {
		select {
		case m, ok := <-applyCh:
			if !ok {
				c.applies.closed(i, gen)
				return
			}
			applied := c.applies.receive(i, gen, c.serviceTakes(i, gen, m))
			c.traceApply(i, m)
			if d := c.applies.serviceTime(i); d > 0 {
				time.Sleep(d) // a slow service: it works on the message before it calls back
			}
			c.serviceCall(i, gen)
			if applied && c.snapshotEvery > 0 && m.CommandIndex%c.snapshotEvery == 0 {
				c.takeSnapshot(i, gen, m.CommandIndex)
			}
		case <-c.stopping:
			return
		}
	}
}

// serviceCall calls GetState on instance gen of server i, if it is still
// running, as the service does between messages. A panic here is left to
// the scenario's own calls to report.
func (c *Cluster) serviceCall(i, gen int) {
	rf := c.instance(i, gen)
	if rf == nil {
		return
	}
	defer func() { _ = recover() }()
	rf.GetState()
}

// An appliedEntry is a command a server applied, and where.
type appliedEntry struct {
	index   int
	command any
}

// latest returns up to k of the commands server i's current instance has
// applied, the latest first.
func (a *applyChecker) latest(i, k int) []appliedEntry {
	a.mu.Lock()
	defer a.mu.Unlock()
	var es []appliedEntry
	for index := a.lastApplied[i]; index > 0 && len(es) < k; index-- {
		cmd, ok := a.logs[i][index]
		if !ok {
			break // from here on, the instance's snapshot
		}
		es = append(es, appliedEntry{index, cmd})
	}
	return es
}
