package labrpc

import (
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"sync/atomic"

	"raftlabs/labgob"
)

// A Network connects client ends to servers and decides, for each call,
// which faults it meets. The zero value is not usable; call NewNetwork.
type Network struct {
	mu             sync.Mutex
	source         func(end string) rand.Source // each end's generator of faults
	reliable       bool
	longReordering bool
	longDelays     bool
	ends           map[string]*endState
	servers        map[string]*serverEntry
	count          map[string]int   // by server name
	bytes          map[string]int64 // by server name
	totalCount     int
	calls          map[callKey]int // by end and method
	totalBytes     int64
	problems       []string
	reported       map[string]bool // problem summaries already recorded

	observeMu sync.Mutex // serializes calls to observer
	observer  func(Event)

	replies  labgob.Messages // decodes replies into the callers'
	encoders labgob.Encoders // encodes arguments and replies, each as a fresh encoder would

	closeOnce sync.Once
	closed    chan struct{}

	// reuse is nil while handler reuse is off (SetHandlerReuse); while it
	// is on, a channel that turning it off closes, which ends the idle
	// handler goroutines.
	reuse atomic.Pointer[chan struct{}]
}

// endState is the network's view of one client end.
type endState struct {
	enabled bool
	server  string     // the server name it is connected to, or ""
	rng     *rand.Rand // draws the faults of the end's calls
}

// A serverEntry is one server added under a name. Deleting or replacing
// the server closes dead, which wakes the calls waiting on its handlers
// and ends its idle handler goroutines.
type serverEntry struct {
	srv  *Server
	dead chan struct{}
	idle chan func() // hands a call to one of the server's idle handler goroutines (runHandler)
}

// NewNetwork returns a reliable network with no ends and no servers. All
// its random choices come from generators seeded with seed: one for each
// end, seeded with seed and the end's name.
func NewNetwork(seed int64) *Network {
	return NewNetworkSource(func(end string) rand.Source {
		return rand.NewPCG(uint64(seed), endStream(end))
	})
}

// NewNetworkSource returns a reliable network with no ends and no servers
// whose end called name draws the faults of its calls from source(name),
// called once, when the end is made. The network draws from a source only
// while it holds its own lock, so ends may share one source that is not
// safe for concurrent use: a test that drives the faults from outside, such
// as a fuzz target whose input is the fault schedule, gives every end the
// same source.
func NewNetworkSource(source func(end string) rand.Source) *Network {
	return &Network{
		replies:  labgob.Messages{Checked: true},
		source:   source,
		reliable: true,
		ends:     map[string]*endState{},
		servers:  map[string]*serverEntry{},
		count:    map[string]int{},
		bytes:    map[string]int64{},
		calls:    map[callKey]int{},
		reported: map[string]bool{},
		closed:   make(chan struct{}),
	}
}

// A ClientEnd is the client side of a connection: the thing a Raft peer
// holds for each of its peers and calls RPCs through.
type ClientEnd struct {
	name string
	net  *Network
}

// NewEnd returns a new client end called name. The end is disabled and not
// connected to any server. NewEnd panics if the network already has an end
// with that name.
func (n *Network) NewEnd(name string) *ClientEnd {
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, ok := n.ends[name]; ok {
		panic(fmt.Sprintf("labrpc: NewEnd: an end named %q already exists", name))
	}
	n.ends[name] = &endState{rng: rand.New(n.source(name))}
	return &ClientEnd{name: name, net: n}
}

// endStream is the second half of the seed of the end called name's
// generator: an FNV-1a hash of the name. With a generator per end, the k-th
// call through an end meets the same faults whatever the other ends did
// before it, so a run whose goroutines interleave a little differently
// still meets the same fault schedule.
func endStream(name string) uint64 {
	h := uint64(14695981039346656037)
	for i := range len(name) {
		h ^= uint64(name[i])
		h *= 1099511628211
	}
	return h
}

// end returns the state of the end called name, or panics if there is none.
// n.mu must be held.
func (n *Network) end(name, caller string) *endState {
	e, ok := n.ends[name]
	if !ok {
		panic(fmt.Sprintf("labrpc: %s: no end named %q", caller, name))
	}
	return e
}

// Connect connects the end called endName to the server called serverName,
// replacing any earlier connection. The server need not exist yet: until it
// does, calls through the end are unreachable.
func (n *Network) Connect(endName, serverName string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.end(endName, "Connect").server = serverName
}

// Enable enables or disables the end called endName. A disabled end's
// calls are unreachable, and replies to the calls it has in flight are
// discarded. Disabling ends is how tests cut a peer off from the others.
func (n *Network) Enable(endName string, enabled bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.end(endName, "Enable").enabled = enabled
}

// AddServer adds s to the network under name. If a server already has that
// name, it is replaced, and the old one counts as deleted.
func (n *Network) AddServer(name string, s *Server) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.deleteLocked(name)
	n.servers[name] = &serverEntry{srv: s, dead: make(chan struct{}), idle: make(chan func())}
}

// DeleteServer removes the server called name, as if it crashed: calls
// waiting on its handlers return false at once, and replies from handlers
// still running are discarded.
func (n *Network) DeleteServer(name string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.deleteLocked(name)
}

func (n *Network) deleteLocked(name string) {
	if e, ok := n.servers[name]; ok {
		close(e.dead)
		delete(n.servers, name)
	}
}

// SetHandlerReuse turns on or off (the default) the reuse of handler
// goroutines. Each call's handler runs in a goroutine of its own either
// way. A new goroutine starts with a small stack and grows it, copying it
// each time, as the handler, the codec and the Raft beneath go deeper,
// which costs more than many handlers' whole work. With reuse on, a handler
// goroutine that has served a call waits for the next call to its server,
// and serves it with the stack it has grown. It ends when the server is
// deleted or replaced, the network is closed, or reuse is turned off.
//
// A test that turns reuse on and runs in a testing/synctest bubble must
// turn it off, close the network or delete every server before the bubble
// ends: synctest fails a bubble whose goroutines are still waiting when
// its test function returns. One that counts goroutines, to see whether
// the code under test left some behind, turns reuse off first. The
// course's harness does both (labtest).
func (n *Network) SetHandlerReuse(on bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	switch stop := n.reuse.Load(); {
	case on && stop == nil:
		ch := make(chan struct{})
		n.reuse.Store(&ch)
	case !on && stop != nil:
		close(*stop)
		n.reuse.Store(nil)
	}
}

// SetReliable turns the faults of an unreliable network off (true, the
// default) or on (false): request delays, dropped requests, lost replies.
func (n *Network) SetReliable(reliable bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.reliable = reliable
}

// SetLongReordering turns on or off (the default) long reply delays, which
// make replies arrive in a different order from their requests.
func (n *Network) SetLongReordering(on bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.longReordering = on
}

// SetLongDelays turns on or off (the default) long waits before
// unreachable and dropped calls fail.
func (n *Network) SetLongDelays(on bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.longDelays = on
}

// Count returns the number of requests delivered to the handlers of the
// server called serverName. Counts belong to the name: they carry on
// across DeleteServer and AddServer.
func (n *Network) Count(serverName string) int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.count[serverName]
}

// Bytes returns the total size of the encoded requests delivered to the
// handlers of the server called serverName.
func (n *Network) Bytes(serverName string) int64 {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.bytes[serverName]
}

// TotalCount returns the number of calls made on all ends, whatever became
// of them.
func (n *Network) TotalCount() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.totalCount
}

// TotalBytes returns the total size of the encoded requests of all calls
// counted by TotalCount. Replies are not counted.
func (n *Network) TotalBytes() int64 {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.totalBytes
}

// Observe makes f the observer of every event from now on; nil removes the
// observer. f is called synchronously by the goroutine making the call, one
// event at a time, so it must be quick; it may call the network's methods,
// but not Observe. Once Observe returns, the old observer is not called
// again.
func (n *Network) Observe(f func(Event)) {
	n.observeMu.Lock()
	defer n.observeMu.Unlock()
	n.observer = f
}

// emit reports ev to the observer as an event of the given kind.
func (n *Network) emit(ev Event, kind EventKind) {
	ev.Kind = kind
	n.observeMu.Lock()
	defer n.observeMu.Unlock()
	if n.observer != nil {
		n.observer(ev)
	}
}

// Problems returns the mistakes in the use of the network seen so far, in
// the order they were first seen: calls to unknown services or methods,
// replies of the wrong type, arguments that cannot be encoded or decoded,
// and panics in handlers (with the server, the method, the panic value and
// the stack). Each is also printed to standard error when first seen.
func (n *Network) Problems() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.problems...)
}

// report records a problem, described by summary followed by details,
// unless a problem with the same summary was already recorded.
func (n *Network) report(summary, details string) {
	msg := summary + details
	n.mu.Lock()
	seen := n.reported[summary]
	if !seen {
		n.reported[summary] = true
		n.problems = append(n.problems, msg)
	}
	n.mu.Unlock()
	if !seen {
		fmt.Fprintf(os.Stderr, "\n*** %s ***\n\n", msg)
	}
}

// Close ends the world, for the test harness, to stop abandoned goroutines
// from spinning: after Close, every Call, new or in flight, blocks forever
// instead of returning. Close may be called more than once.
func (n *Network) Close() {
	n.closeOnce.Do(func() { close(n.closed) })
}

// blockIfClosed blocks forever if the network is closed.
func (n *Network) blockIfClosed() {
	select {
	case <-n.closed:
		select {}
	default:
	}
}
