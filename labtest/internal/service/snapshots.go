package service

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"raftlabs/labgob"
	"raftlabs/labtest/internal/probe"
	"raftlabs/labtest/internal/words"
	"raftlabs/raftapi"
)

// Lab 4's service: the state machine above each server snapshots itself
// every SnapshotInterval applied entries, as a key/value server does to
// keep its Raft's log short. It calls Snapshot from the goroutine that
// reads applyCh, right after the entry, and waits for it to return, as a
// real service does; so a Raft that sends on applyCh while holding the lock
// that Snapshot takes deadlocks here, and the watchdog names the send. For a
// Raft of 2021 that has CondInstallSnapshot, it calls that on each snapshot
// that comes on applyCh, and takes the snapshot only if it returns true.
//
// The service's snapshot holds every command it has applied, from index 1,
// so the harness can check a snapshot that comes back on applyCh (from a
// leader's InstallSnapshot) entry by entry against what the servers
// applied, and can restore a restarted server's service from its disk.

// SnapshotInterval is how many applied entries pass between two snapshots:
// the service snapshots after each index that is a multiple of it.
const SnapshotInterval = 10

// serviceSnapshot is what the service saves: the last index it covers, and
// every command applied through it. Magic tells the service's own snapshots
// from other bytes.
type serviceSnapshot struct {
	Magic    string
	Index    int
	Commands []any // Commands[k] is the command at index k+1
}

const snapshotMagic = "raftlabs service snapshot"

// encodeSnapshot returns the bytes of a snapshot through index of commands.
func encodeSnapshot(index int, commands []any) ([]byte, error) {
	var b bytes.Buffer
	err := labgob.NewEncoder(&b).Encode(serviceSnapshot{Magic: snapshotMagic, Index: index, Commands: commands})
	return b.Bytes(), err
}

// decodeSnapshot reads a snapshot the service made.
func decodeSnapshot(data []byte) (serviceSnapshot, error) {
	var s serviceSnapshot
	if len(data) == 0 {
		return s, errors.New("it is empty")
	}
	if err := labgob.NewDecoder(bytes.NewReader(data)).Decode(&s); err != nil {
		return s, fmt.Errorf("it does not decode: %v", err)
	}
	if s.Magic != snapshotMagic {
		return s, errors.New("it is not a snapshot the service made")
	}
	if len(s.Commands) != s.Index {
		return s, fmt.Errorf("it claims index %d but holds %d commands", s.Index, len(s.Commands))
	}
	return s, nil
}

// snapshotID identifies a snapshot's bytes, so that the service can tell
// its own snapshots from anything else a Raft hands back.
type snapshotID [sha256.Size]byte

// snapshotKey returns the identity of a snapshot's bytes.
func snapshotKey(data []byte) snapshotID { return sha256.Sum256(data) }

// readSnapshot decodes data, a snapshot that reached server i's service
// (how says from where: "on applyCh", "at restart"). A snapshot the
// service never made is the Raft's doing; one the service made but cannot
// read is the harness's own fault, and the message says so.
func (a *Checker) readSnapshot(i int, data []byte, how string) (serviceSnapshot, error) {
	s, err := decodeSnapshot(data)
	if err == nil {
		return s, nil
	}
	if index, made := a.made[snapshotKey(data)]; made {
		return s, fmt.Errorf("the test's service cannot read the snapshot through index %d that it made itself (%v) "+
			"and that s%d handed back %s unchanged: this is a bug in the course's harness, not in your Raft; please "+
			"report it", index, err, i, how)
	}
	return s, fmt.Errorf("s%d handed its service a snapshot %s that the service never made (%d bytes; %v): a Raft "+
		"stores the snapshot the service gives to Snapshot (or a leader sends in InstallSnapshot) and hands back "+
		"exactly those bytes; check the order of Save's arguments (state, then snapshot)", i, how, len(data), err)
}

// MakeSnapshot returns server i's service's snapshot through index, from
// the commands it has applied.
func (a *Checker) MakeSnapshot(i, index int) ([]byte, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	commands := make([]any, index)
	for k := 1; k <= index; k++ {
		cmd, ok := a.logs[i][k]
		if !ok {
			return nil, fmt.Errorf("the service of s%d cannot snapshot through index %d: it has not applied index %d", i, index, k)
		}
		commands[k-1] = cmd
	}
	data, err := encodeSnapshot(index, commands)
	if err != nil {
		return nil, fmt.Errorf("the test's service cannot encode its snapshot through index %d: %v (a bug in the harness)", index, err)
	}
	a.made[snapshotKey(data)] = index
	return data, nil
}

// SnapshotWith returns a snapshot of server i's service through index
// upTo, as MakeSnapshot does, extended by the commands of entries, which
// follow upTo: the snapshot a leader holding those entries would send.
func (a *Checker) SnapshotWith(i, upTo int, entries []probe.LogEntry) ([]byte, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	commands := make([]any, 0, upTo+len(entries))
	for k := 1; k <= upTo; k++ {
		cmd, ok := a.logs[i][k]
		if !ok {
			return nil, fmt.Errorf("the service of s%d cannot snapshot through index %d: it has not applied index %d", i, upTo, k)
		}
		commands = append(commands, cmd)
	}
	for _, e := range entries {
		commands = append(commands, e.Command)
	}
	index := upTo + len(entries)
	data, err := encodeSnapshot(index, commands)
	if err != nil {
		return nil, fmt.Errorf("the test's service cannot encode its snapshot through index %d: %v (a bug in the harness)", index, err)
	}
	a.made[snapshotKey(data)] = index
	return data, nil
}

// Restore is the service of instance gen of server i coming up from data,
// the snapshot on its disk: everything through the snapshot's index counts
// as applied, so the server's first message must be that snapshot again or
// the entry right after it.
func (a *Checker) Restore(i, gen int, data []byte) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(data) == 0 || gen != a.generation[i] {
		return
	}
	s, err := a.readSnapshot(i, data, "at restart")
	if err != nil {
		a.fail("%v", err)
		return
	}
	if err := a.installLocked(i, s); err != nil {
		a.fail("s%d restarted with a snapshot through index %d that %v", i, s.Index, err)
		return
	}
	a.restoredFrom[i] = s.Index
}

// installLocked takes the commands of snapshot s into server i's applied
// log, checking each against what the servers applied at its index, and
// moves lastApplied to its index.
func (a *Checker) installLocked(i int, s serviceSnapshot) error {
	for k, cmd := range s.Commands {
		index := k + 1
		if err := a.agreesLocked(index, cmd, i); err != nil {
			return err
		}
	}
	for k, cmd := range s.Commands {
		a.logs[i][k+1] = cmd
	}
	a.lastApplied[i] = s.Index
	a.installed[i] = s.Index
	a.highest = max(a.highest, s.Index)
	return nil
}

// agreesLocked checks that cmd at index, on server i, is what every server
// that applied index applied there (state machine safety).
func (a *Checker) agreesLocked(index int, cmd any, i int) error {
	for j, log := range a.logs {
		if old, ok := log[index]; ok && !commandsEqual(old, cmd) {
			return fmt.Errorf("state machine safety: index %d was applied as %s on s%d but is %s in the snapshot "+
				"of s%d", index, words.Command(old), j, words.Command(cmd), i)
		}
	}
	return nil
}

// snapshotMessage checks a SnapshotValid message from server i: its bytes
// are a snapshot the service made, whose last index is SnapshotIndex, whose
// commands agree with what the servers applied, and whose SnapshotTerm is
// the one every server gave that index; and it must not take the service
// back before what it has applied. Call it with a.mu held.
func (a *Checker) snapshotMessage(i, index, term int, data []byte) error {
	s, err := a.readSnapshot(i, data, "on applyCh")
	if err != nil {
		return err
	}
	if a.received != nil {
		if err := a.received.CheckSnapshotReceived(i, index, data); err != nil {
			return err
		}
	}
	if s.Index != index {
		return fmt.Errorf("s%d sent a snapshot on applyCh with SnapshotIndex %d, but the snapshot holds the service's "+
			"state through index %d: SnapshotIndex is the last index the snapshot includes (the leader's "+
			"LastIncludedIndex)", i, index, s.Index)
	}
	if last := a.lastApplied[i]; index < last {
		return fmt.Errorf("s%d sent a snapshot through index %d on applyCh after it had applied index %d: the "+
			"service would go back to an older state, undoing commands it has applied; a server ignores an "+
			"InstallSnapshot that covers no more than it has committed", i, index, last)
	}
	if term <= 0 {
		return fmt.Errorf("s%d sent a snapshot through index %d with SnapshotTerm %d: SnapshotTerm is the term of "+
			"the entry at SnapshotIndex (the leader's LastIncludedTerm), at least 1", i, index, term)
	}
	if first, ok := a.snapshotTerms[index]; ok && first.term != term {
		return fmt.Errorf("s%d sent a snapshot through index %d with SnapshotTerm %d, but s%d's snapshot through "+
			"the same index had term %d: a committed entry has one term on every server (log matching), and "+
			"SnapshotTerm is that entry's term", i, index, term, first.server, first.term)
	}
	a.snapshotTerms[index] = termSighting{server: i, term: term}
	if err := a.installLocked(i, s); err != nil {
		return err
	}
	a.fromLeader[i] = index
	return nil
}

// Snapshotted records that instance gen of server i was given its
// service's snapshot through index: a snapshot it installed before, through
// no later index, is no longer the one it must have saved.
func (a *Checker) Snapshotted(i, gen, index int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if gen == a.generation[i] && index >= a.fromLeader[i] {
		a.fromLeader[i] = 0
	}
}

// InstalledThrough returns the last index of the snapshot server i's
// current instance installed on applyCh and holds still, or 0.
func (a *Checker) InstalledThrough(i int) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.fromLeader[i]
}

// termSighting is the term a server gave an index.
type termSighting struct{ server, term int }

// condInstaller is a Raft of MIT 6.824's 2021 labs, which sends a snapshot
// from its leader on applyCh and switches to it only when its service calls
// CondInstallSnapshot and gets true: "a service wants to switch to snapshot;
// only do so if Raft hasn't had more recent info since it communicated the
// snapshot on applyCh". (2022's handout kept the method, which may simply
// return true; 2023 dropped it.)
type condInstaller interface {
	CondInstallSnapshot(lastIncludedTerm, lastIncludedIndex int, snapshot []byte) bool
}

// Snapshot is the service of instance gen of server i, rf, giving it data,
// its snapshot through index, right after it applied index: it calls
// Snapshot from the goroutine that reads applyCh and waits for it to
// return, failing the test if it panics or takes longer than slow.
func (a *Checker) Snapshot(rf raftapi.Raft, i, gen, index int, data []byte, slow time.Duration) {
	asked := time.Now()
	func() {
		defer func() {
			if v := recover(); v != nil {
				a.FailWith(fmt.Errorf("s%d: Snapshot(%d, ...) panicked when the service called it after "+
					"applying index %d: %v\n%s", i, index, index, v, debug.Stack()))
			}
		}()
		rf.Snapshot(index, data)
	}()
	a.Snapshotted(i, gen, index)
	if took := time.Since(asked); took > slow {
		a.FailWith(fmt.Errorf("Snapshot(%d, ...) on s%d took %s to return: the service calls it from the "+
			"goroutine that reads applyCh, so Snapshot must return at once, never waiting for an RPC, a timer or "+
			"a channel", index, i, words.Seconds(took)))
	}
}

// Takes is what the service of instance gen of server i, rf, does with m
// before it applies it; slow is how long it waits for a call to return
// before it fails the test. For a snapshot from a Raft that has
// CondInstallSnapshot, it calls that first, from the goroutine that reads
// applyCh and waiting for it, as MIT's 2021 service did, and keeps its own
// state if the answer is false: then it returns m with SnapshotValid
// false. If the answer is true, the service, as 2021's did, skips the
// entries up to the snapshot's index that the Raft sent before it switched.
// Any other message it returns unchanged.
func (a *Checker) Takes(rf raftapi.Raft, i, gen int, m raftapi.ApplyMsg, slow time.Duration) raftapi.ApplyMsg {
	if !m.SnapshotValid {
		return m
	}
	ci, ok := rf.(condInstaller)
	if !ok {
		return m
	}
	asked := time.Now()
	accepted := false
	func() {
		defer func() {
			if v := recover(); v != nil {
				a.FailWith(fmt.Errorf("s%d: CondInstallSnapshot(%d, %d, ...) panicked when the service called "+
					"it for the snapshot on applyCh: %v\n%s", i, m.SnapshotTerm, m.SnapshotIndex, v, debug.Stack()))
			}
		}()
		accepted = ci.CondInstallSnapshot(m.SnapshotTerm, m.SnapshotIndex, m.Snapshot)
	}()
	if took := time.Since(asked); took > slow {
		a.FailWith(fmt.Errorf("CondInstallSnapshot(%d, %d, ...) on s%d took %s to return: the service "+
			"calls it from the goroutine that reads applyCh, so it must return at once, never waiting for an RPC, "+
			"a timer or a channel", m.SnapshotTerm, m.SnapshotIndex, i, words.Seconds(took)))
	}
	if !accepted {
		m.SnapshotValid = false
		return m
	}
	a.tookCondSnapshot(i, gen, m.SnapshotIndex)
	return m
}

// tookCondSnapshot records that the CondInstallSnapshot of instance gen of
// server i took a snapshot through index: an entry at or before index that
// comes after it was sent before the Raft switched, and MIT's 2021 service,
// which applied only entries after its lastApplied, skipped it.
func (a *Checker) tookCondSnapshot(i, gen, index int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if gen == a.generation[i] {
		a.condAccepted[i] = max(a.condAccepted[i], index)
	}
}

// RaftStateBound is the largest saved Raft state (Persister.RaftStateSize)
// the lab 4 tests allow on a server whose service snapshots every
// SnapshotInterval entries: MIT 6.5840's MAXLOGSIZE. A log that keeps only
// the entries since the last snapshot, of the tests' small commands, takes
// a few hundred bytes.
const RaftStateBound = 2000

// RaftStateSizes checks that every server's saved Raft state is within
// RaftStateBound, given sizes by server; applied is the highest index
// applied, for the message.
func RaftStateSizes(sizes []int, applied int) error {
	for i, size := range sizes {
		if size > RaftStateBound {
			return fmt.Errorf("s%d's saved Raft state is %d bytes after %d entries were applied, over the bound of "+
				"%d: with a snapshot every %d entries the log should hold only the entries since the last snapshot; "+
				"Snapshot must drop the entries it covers, and persist must save the log without them",
				i, size, applied, RaftStateBound, SnapshotInterval)
		}
	}
	return nil
}

// SetServiceTime makes server i's service spend d on each message before
// it calls back into its server and reads the next one.
func (a *Checker) SetServiceTime(i int, d time.Duration) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.busy[i] = d
}

// ServiceTime returns how long server i's service spends on each message.
func (a *Checker) ServiceTime(i int) time.Duration {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.busy[i]
}
