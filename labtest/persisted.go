package labtest

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"raftlabs/labrpc"
	"raftlabs/raftapi"
)

// A server's state across a crash must come from its Persister alone. All
// of a test's servers run in one process, so a Raft could keep currentTerm,
// votedFor and its log in a package-level variable that outlives Kill, and
// save a few dummy bytes: every crash would then keep everything, and no
// test of persistence could fail. Two checks rule that out, without knowing
// how the server lays out what it saves.
//
// At each crash, the harness looks in what the server had saved for the
// latest commands it applied: each is committed, so it is in the log the
// server saved (Figure 2: the log is persistent state) or in the snapshot
// that replaced that part of the log. Every Raft of the course saves with
// labgob, and gob writes an integer or a string the same bytes wherever it
// sits (a field, an interface, a slice), so the command's own encoding must
// be among the saved bytes.
//
// And before each restart, the harness boots
// a stand-in for the server with an empty Persister, as if its disk were
// lost, cut off from everyone, asks its term, and kills it: a Raft that
// reads its state only from its Persister remembers nothing, and reports
// a term no higher than a server's first.

// persistenceTaught reports whether the test belongs to a lab that asks
// for persistence (lab 3 and later), by the lab its name ends with, where
// the checks of this file hold. A lab 1 or 2 test may crash a server too
// (the tests that play a server's part crash it to take its place), and a
// Raft of those labs persists nothing. A test whose name names no lab (the
// harness's own) is checked.
func (c *Cluster) persistenceTaught() bool {
	m := labSuffix.FindStringSubmatch(c.run.name)
	if m == nil {
		return true
	}
	lab, _ := strconv.Atoi(m[1])
	return lab >= persistenceLab
}

// labSuffix matches the lab a suite test's name ends with
// (TestPersistBasicLab3), as Test.Name writes it.
var labSuffix = regexp.MustCompile(`Lab(\d+)$`)

// persistenceLab is the lab that teaches persistence.
const persistenceLab = 3

// checkForgets boots the stand-in for server i and checks that it does not
// know the term i was in when it crashed. A stand-in that cannot be asked
// (Make panics, or never returns) is left to the restart itself to report.
func (c *Cluster) checkForgets(i int) {
	c.t.Helper()
	if c.revealed == nil || !c.persistenceTaught() {
		return
	}
	known := c.revealed.crashTerm(i)
	if known <= 1 {
		return // a fresh server may report term 1
	}
	term, ok := c.freshTerm(i)
	if !ok {
		return
	}
	if err := forgotten(i, term, known, c.revealed.lastCrash(i)); err != nil {
		c.historyFatalf("%v", err)
	}
}

// freshTerm boots server i with an empty Persister and ends that reach no
// one, and returns the term it reports before anything can happen to it.
func (c *Cluster) freshTerm(i int) (term int, ok bool) {
	c.mu.Lock()
	gen := c.generation[i] // the instance that crashed: one stand-in each
	c.mu.Unlock()
	ends := make([]*labrpc.ClientEnd, c.n)
	for j := range c.n {
		ends[j] = c.net.NewEnd(fmt.Sprintf("s%d->s%d#empty-disk-%d", i, j, gen)) // connected to nothing
	}
	// A server with nothing to apply sends nothing; the buffer keeps a
	// Raft that does from blocking before it is killed.
	applyCh := make(chan raftapi.ApplyMsg, 64)
	m, returned := c.tryMake(i, ends, raftapi.MakePersister(), applyCh)
	if !returned || m.panicked != nil || m.rf == nil {
		return 0, false
	}
	defer func() { _ = c.callStudent(i, "Kill", m.rf.Kill) }()
	if c.callStudent(i, "GetState", func() { term, _ = m.rf.GetState() }) != nil {
		return 0, false
	}
	return term, true
}

// forgotten checks the term a server booted with an empty Persister
// reported, against the term known it was in when it crashed at crashedAt.
func forgotten(i, term, known int, crashedAt time.Duration) error {
	if term < known {
		return nil
	}
	return violation("persistent state", "s%d, booted with an empty Persister (as if its disk were lost) before "+
		"its restart, reported term %d at once: it knew the term it was in when it crashed at %s (term %d) "+
		"without its Persister. A server's state across a crash must come from its Persister alone (Figure 2: "+
		"persistent state, \"updated on stable storage before responding to RPCs\"); the servers run in one "+
		"process, but state kept in a variable that outlives Kill was not persisted",
		i, term, seconds(crashedAt), known).AboutLeaders()
}

// persistedChecked is how many of a server's latest applied commands each
// crash looks for in what it saved.
const persistedChecked = 16

// checkPersisted checks that what server i saved, p's bytes, holds the
// latest commands it applied.
func (c *Cluster) checkPersisted(i int, p *raftapi.Persister) {
	c.t.Helper()
	if err := c.persistedProblem(i, p, "crashed"); err != nil {
		c.historyFatalf("%v", err)
	}
}

// persistedProblem is checkPersisted's finding, or nil: server i's saved
// bytes, p's, lack one of the latest commands it applied. what says when
// the bytes were read ("crashed", "was still running at the end").
func (c *Cluster) persistedProblem(i int, p *raftapi.Persister, what string) error {
	if !c.persistenceTaught() {
		return nil
	}
	state, snapshot := p.ReadRaftState(), p.ReadSnapshot()
	for _, e := range c.applies.latest(i, persistedChecked) {
		needle, ok := gobBytes(e.command)
		if !ok || bytes.Contains(state, needle) || bytes.Contains(snapshot, needle) {
			continue
		}
		if through := c.applies.installedThrough(i); e.index <= through {
			return unsavedSnapshot(i, what, through, e.index, e.command, len(state), len(snapshot), c.Now())
		}
		return unpersisted(i, what, e.index, e.command, len(state), len(snapshot), c.Now(), c.unsaved.how(i, e.index, e.command))
	}
	return nil
}

// checkLivePersisted checks, as each crash does, that what every running
// server has saved holds the latest commands it applied: a test with no
// crash must not let a Raft keep its state only in memory. It is called
// at the end of the scenario, before the servers are killed.
func (c *Cluster) checkLivePersisted() error {
	for i := range c.n {
		if c.raft(i) == nil {
			continue
		}
		c.mu.Lock()
		p := c.persisters[i]
		c.mu.Unlock()
		if err := c.persistedProblem(i, p, "was still running at the end of the test"); err != nil {
			return err
		}
	}
	return nil
}

// unpersisted is the failure of server i, crashed at now, whose saved
// state (stateSize bytes, and a snapshot of snapshotSize) does not hold
// the command it applied at index; how, if not "", is how it vouched for
// that entry unsaved (unsaved.go), a line of its own.
func unpersisted(i int, what string, index int, command any, stateSize, snapshotSize int, now time.Duration, how string) error {
	if how != "" {
		how = "\n" + how
	}
	return violation("persistent state", "s%d %s at %s having applied %s at index %d, but what it had saved "+
		"(%d bytes of Raft state, a snapshot of %d bytes) does not hold that command: a server saves each log "+
		"entry before it answers the AppendEntries that carried it (Figure 2: the log is persistent state, "+
		"\"updated on stable storage before responding to RPCs\"), and a leader its own before it counts it "+
		"committed. The servers run in one process, but a log kept in a variable that outlives Kill was not "+
		"persisted%s", i, what, seconds(now), commandText(command), index, stateSize, snapshotSize, how)
}

// unsavedSnapshot is the failure of server i, at now, whose saved state
// (stateSize bytes, and a snapshot of snapshotSize) does not hold the
// command at index of the snapshot through index through that it had
// installed from its leader.
func unsavedSnapshot(i int, what string, through, index int, command any, stateSize, snapshotSize int, now time.Duration) error {
	return violation("persistent state", "s%d %s at %s having installed its leader's snapshot through index %d "+
		"(sent to its service on applyCh), but what it had saved (%d bytes of Raft state, a snapshot of %d bytes) "+
		"does not hold %s, that snapshot's command at index %d: a follower saves the snapshot an InstallSnapshot "+
		"brings before it answers, with the Raft state that now starts after it (Figure 13, InstallSnapshot "+
		"receiver implementation 5: \"Save snapshot file\"). Persister.Save(state, snapshot) replaces both: a "+
		"persist that passes the Persister's old snapshot, or nil, loses the new one",
		i, what, seconds(now), through, stateSize, snapshotSize, commandText(command), index)
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
