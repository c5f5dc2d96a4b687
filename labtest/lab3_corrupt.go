package labtest

import (
	"fmt"

	"raftlabs/labrpc"
	"raftlabs/raftapi"
)

// Lab 3, continued: a disk that was cut short. A server must not start
// from saved bytes it cannot decode as if nothing were wrong.

// CorruptState checks that Make fails loudly when the saved state it is
// given is cut short, as a crash in the middle of a write can leave it: the
// test crashes a follower that holds five entries, hands a trial instance
// of it the first half of its saved bytes, and expects Make (readPersist)
// to panic with a message. A server that started from an empty or partial
// state instead would have forgotten its vote and entries it had
// acknowledged, silently: the same harm as not persisting them. Then the
// follower restarts from its whole state and the cluster goes on. Figure
// 2, persistent state.
func CorruptState(c *Cluster) {
	c.Boot(3)
	for range 5 {
		c.Agree(c.randomCommand(), c.N())
	}
	f := c.Next(c.CheckOneLeader())
	c.Crash(f)

	// A trial instance, cut off from everyone, from half the saved bytes.
	saved := c.savedState(f)
	cut := newPersister(saved[:len(saved)/2])
	if err := c.checkRefusesCorruptState(f, cut, len(saved)); err != nil {
		c.Fatalf("%v", err)
	}

	// From its whole state, it rejoins.
	c.Restart(f)
	c.Agree(c.randomCommand(), c.N())
}

// savedState returns the Raft state server i has saved.
func (c *Cluster) savedState(i int) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.persisters[i].ReadRaftState()
}

// checkRefusesCorruptState calls Make for a trial instance of server i,
// with ends that reach no one, from the persister p whose state is cut
// short from whole bytes, and kills it again. Make must panic.
func (c *Cluster) checkRefusesCorruptState(i int, p *raftapi.Persister, whole int) error {
	c.t.Helper()
	ends := make([]*labrpc.ClientEnd, c.n)
	for j := range c.n {
		ends[j] = c.net.NewEnd(fmt.Sprintf("s%d->s%d#trial", i, j)) // never connected
	}
	applyCh := make(chan raftapi.ApplyMsg)
	c.drains.Add(1)
	go func() {
		c.run.helper()
		defer c.drains.Add(-1)
		for {
			select {
			case _, ok := <-applyCh:
				if !ok {
					return
				}
			case <-c.stopping:
				return
			}
		}
	}()
	m, returned := c.tryMake(i, ends, p, applyCh)
	if !returned {
		return fmt.Errorf("s%d: Make did not return within %v when given saved state cut short", i, makeTimeout)
	}
	if m.panicked != nil {
		return nil // refused, loudly: as it should
	}
	term := -1
	if m.rf != nil {
		c.student(i, "GetState", func() { term, _ = m.rf.GetState() })
		c.student(i, "Kill", m.rf.Kill)
	}
	return corruptStateAccepted(i, p.RaftStateSize(), whole, term)
}

// corruptStateAccepted is the verdict on a Make that started from saved
// state cut from whole bytes to size as if nothing were wrong, in term.
func corruptStateAccepted(i, size, whole, term int) error {
	return fmt.Errorf("s%d's Make was given its saved state cut short, %d of its %d bytes (as a crash during a write "+
		"can leave a disk), and started as if nothing were wrong, in term %d: readPersist must report bytes it cannot "+
		"decode, by panicking with a message that says what failed, never start from an empty or partial state, "+
		"which forgets the server's vote and the entries it acknowledged as surely as not saving them (Figure 2, "+
		"persistent state). Check the error of every Decode", i, size, whole, term)
}

// newPersister returns a persister that holds state and no snapshot.
func newPersister(state []byte) *raftapi.Persister {
	p := raftapi.MakePersister()
	p.Save(state, nil)
	return p
}
