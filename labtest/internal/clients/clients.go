package clients

import (
	"fmt"
	"reflect"
	"sync"
	"time"

	"raftlabs/labtest/internal/words"
)

// Cluster is what a client needs of the servers it talks to.
type Cluster interface {
	// N returns the number of servers.
	N() int
	// StartCommand calls Start on server i, if it is running; err is its
	// panic, if it panicked.
	StartCommand(i, command int) (index int, isLeader bool, err error)
	// AppliedAt returns how many servers have applied index, and the
	// command there.
	AppliedAt(index int) (count int, command any)
	// RandomCommand returns a distinct random command.
	RandomCommand() int
	// Now returns how long the test has been running on its own clock.
	Now() time.Duration
}

// An Ack is one command a client saw committed.
type Ack struct {
	Client  int
	Command int
	Index   int
	At      time.Duration // when the client saw it applied
}

// Clients are the running clients of one scenario.
type Clients struct {
	c        Cluster
	stopping chan struct{}
	wg       sync.WaitGroup
	mu       sync.Mutex
	acks     []Ack
	problem  error // the first panic in a server's Start
}

// Start starts n clients of c. Each, until stopped, starts a new random
// command on every running server (as a client that does not know the
// leader tries them all), and if one took it, waits up to about 400ms for
// the index Start returned to be applied; if the command applied there is
// its own, the command is acknowledged. Then it pauses for 0.15 to 0.25s,
// as a client with something else to do: on the virtual clock a reliable
// network commits in no time, and clients that never paused would pile up
// thousands of entries that every persist re-encodes.
func Start(n int, c Cluster) *Clients {
	cl := &Clients{c: c, stopping: make(chan struct{})}
	for k := range n {
		cl.wg.Go(func() { cl.client(k) })
	}
	return cl
}

// client is one client's loop.
func (cl *Clients) client(me int) {
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
		cmd := cl.c.RandomCommand()
		index := -1
		for i := range cl.c.N() {
			idx, ok, err := cl.c.StartCommand(i, cmd)
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
			if count, got := cl.c.AppliedAt(index); count > 0 {
				if reflect.DeepEqual(got, cmd) {
					cl.record(Ack{Client: me, Command: cmd, Index: index, At: cl.c.Now()})
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

func (cl *Clients) record(a Ack) {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	cl.acks = append(cl.acks, a)
}

func (cl *Clients) fail(err error) {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	if cl.problem == nil {
		cl.problem = err
	}
}

// Stop stops the clients, waits for them, and returns what they were
// acknowledged and the first panic any of them saw.
func (cl *Clients) Stop() ([]Ack, error) {
	close(cl.stopping)
	cl.wg.Wait()
	cl.mu.Lock()
	defer cl.mu.Unlock()
	return cl.acks, cl.problem
}

// CheckAcknowledged checks that every acknowledged command is at its index
// on every one of n servers at the end. applied returns what server i
// applied at index.
func CheckAcknowledged(acks []Ack, n int, applied func(i, index int) (any, bool)) error {
	for _, a := range acks {
		var missing []int
		var other any
		for i := range n {
			got, ok := applied(i, a.Index)
			if !ok || !reflect.DeepEqual(got, a.Command) {
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
			instead = words.Command(other) + " there"
		}
		return fmt.Errorf("a committed command was lost: client %d saw %s applied at index %d at %s, but at the end "+
			"%s had applied %s: once applied, an entry is in every later leader's log and must stay (Figure 3, "+
			"Leader Completeness and State Machine Safety). After a crash that usually means the log was not "+
			"persisted before the server answered Success to the AppendEntries that carried it",
			a.Client, words.Command(a.Command), a.Index, words.Seconds(a.At), words.Servers(missing), instead)
	}
	return nil
}
