package labtest

import (
	"fmt"
	"reflect"
	"runtime/debug"
	"sync"
	"time"
)

// Clients: goroutines that play a service's clients while a scenario
// crashes and cuts off servers. Each submits commands to whichever servers
// will take them and records every command it saw applied at the index
// Start gave it: the commands acknowledged to a client, which Raft must
// never lose.

// An ack is one command a client saw committed.
type ack struct {
	client  int
	command int
	index   int
	at      time.Duration // when the client saw it applied
}

// clients are the running clients of one scenario.
type clients struct {
	stopping chan struct{}
	wg       sync.WaitGroup
	mu       sync.Mutex
	acks     []ack
	problem  error // the first panic in a server's Start
}

// startClients starts n clients. Each, until stopped, starts a new random
// command on every running server (as a client that does not know the
// leader tries them all), and if one took it, waits up to about 400ms for
// the index Start returned to be applied; if the command applied there is
// its own, the command is acknowledged. Then it pauses for 0.15 to 0.25s,
// as a client with something else to do: on the virtual clock a reliable
// network commits in no time, and clients that never paused would pile up
// thousands of entries that every persist re-encodes.
func (c *Cluster) startClients(n int) *clients {
	cl := &clients{stopping: make(chan struct{})}
	for k := range n {
		cl.wg.Go(func() { c.client(cl, k) })
	}
	return cl
}

// client is one client's loop.
func (c *Cluster) client(cl *clients, me int) {
	pause := func(d time.Duration) bool {
		select {
		case <-cl.stopping:
			return false
		case <-time.After(d):
			return true
		}
	}
	for {
		select {
		case <-cl.stopping:
			return
		default:
		}
		cmd := c.randomCommand()
		index := -1
		for i := range c.n {
			idx, ok, err := c.clientStart(i, cmd)
			if err != nil {
				cl.fail(err)
				return
			}
			if ok {
				index = idx
			}
		}
		for _, wait := range []time.Duration{10, 20, 50, 100, 200} {
			if index <= 0 {
				break
			}
			if count, got := c.applies.Committed(index); count > 0 {
				if reflect.DeepEqual(got, cmd) {
					cl.record(ack{client: me, command: cmd, index: index, at: c.Now()})
				}
				break
			}
			if !pause(wait * time.Millisecond) {
				return
			}
		}
		if !pause(time.Duration(150+me*37) * time.Millisecond) {
			return
		}
	}
}

// clientStart calls Start on server i, if it is running, turning a panic
// into an error that names the server.
func (c *Cluster) clientStart(i, cmd int) (index int, isLeader bool, err error) {
	rf := c.raft(i)
	if rf == nil {
		return 0, false, nil
	}
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("s%d: Start panicked: %v\n%s", i, v, debug.Stack())
		}
	}()
	c.receipts.Starting(i, cmd)
	index, _, isLeader = rf.Start(cmd)
	c.receipts.Started(i, cmd, index, isLeader)
	return index, isLeader, nil
}

func (cl *clients) record(a ack) {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	cl.acks = append(cl.acks, a)
}

func (cl *clients) fail(err error) {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	if cl.problem == nil {
		cl.problem = err
	}
}

// stop stops the clients, waits for them, and returns what they were
// acknowledged and the first panic any of them saw.
func (cl *clients) stop() ([]ack, error) {
	close(cl.stopping)
	cl.wg.Wait()
	cl.mu.Lock()
	defer cl.mu.Unlock()
	return cl.acks, cl.problem
}

// checkAcknowledged checks that every acknowledged command is at its index
// on every one of n servers at the end. applied returns what server i
// applied at index.
func checkAcknowledged(acks []ack, n int, applied func(i, index int) (any, bool)) error {
	for _, a := range acks {
		var missing []int
		var other any
		for i := range n {
			got, ok := applied(i, a.index)
			if !ok || !reflect.DeepEqual(got, a.command) {
				missing = append(missing, i)
				if ok {
					other = got
				}
			}
		}
		if len(missing) == 0 {
			continue
		}
		instead := "nothing there"
		if other != nil {
			instead = commandText(other) + " there"
		}
		return fmt.Errorf("a committed command was lost: client %d saw %s applied at index %d at %s, but at the end "+
			"%s had applied %s: once applied, an entry is in every later leader's log and must stay (Figure 3, "+
			"Leader Completeness and State Machine Safety). After a crash that usually means the log was not "+
			"persisted before the server answered Success to the AppendEntries that carried it",
			a.client, commandText(a.command), a.index, seconds(a.at), serverList(missing), instead)
	}
	return nil
}
