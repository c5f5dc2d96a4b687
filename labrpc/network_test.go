package labrpc

import (
	"bytes"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"raftlabs/labgob"
)

type EchoArgs struct {
	X int
	S string
	L []int
}

type EchoReply struct {
	X int
	S string
	L []int
}

// Peer is the service the tests call. Its handlers count themselves and keep
// the last args and reply they were given.
type Peer struct {
	release chan struct{} // Block waits for this to be closed
	entered chan struct{} // if not nil, Block sends on it when it starts

	mu        sync.Mutex
	handled   int
	lastArgs  *EchoArgs
	lastReply *EchoReply
}

func (p *Peer) Echo(args *EchoArgs, reply *EchoReply) {
	p.record(args, reply)
	reply.X, reply.S, reply.L = args.X, args.S, args.L
}

// ByValue takes its args by value, which a handler may do.
func (p *Peer) ByValue(args EchoArgs, reply *EchoReply) {
	p.record(&args, reply)
	reply.X = args.X
}

// Block waits until the test closes p.release, then replies.
func (p *Peer) Block(args *EchoArgs, reply *EchoReply) {
	p.record(args, reply)
	if p.entered != nil {
		p.entered <- struct{}{}
	}
	<-p.release
	reply.X = 99
}

func (p *Peer) Panic(args *EchoArgs, reply *EchoReply) {
	p.record(args, reply)
	panic("boom")
}

// Handled is not a handler: it has a result.
func (p *Peer) Handled() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.handled
}

// NotAHandler is not a handler: its reply is not a pointer.
func (p *Peer) NotAHandler(args *EchoArgs, reply EchoReply) {}

func (p *Peer) record(args *EchoArgs, reply *EchoReply) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.handled++
	p.lastArgs, p.lastReply = args, reply
}

func (p *Peer) last() (*EchoArgs, *EchoReply) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.lastArgs, p.lastReply
}

// newTestNet returns a network with a Peer as server s1 and an enabled end
// e1 connected to it.
func newTestNet(t *testing.T, seed int64) (*Network, *ClientEnd, *Peer) {
	t.Helper()
	net := NewNetwork(seed)
	peer := addPeer(net, "s1")
	return net, connect(net, "e1", "s1"), peer
}

func addPeer(net *Network, name string) *Peer {
	peer := &Peer{release: make(chan struct{})}
	srv := NewServer()
	srv.AddService(NewService(peer))
	net.AddServer(name, srv)
	return peer
}

func connect(net *Network, endName, serverName string) *ClientEnd {
	end := net.NewEnd(endName)
	net.Connect(endName, serverName)
	net.Enable(endName, true)
	return end
}

// waitInHandler lets a call just made reach its handler: a reliable
// network's travel time passes, and the handler runs until it blocks.
func waitInHandler() {
	time.Sleep(travelTimeMax)
	synctest.Wait()
}

// timedCall makes a call and reports how long it took.
func timedCall(end *ClientEnd, svcMeth string, args, reply any) (bool, time.Duration) {
	start := time.Now()
	ok := end.Call(svcMeth, args, reply)
	return ok, time.Since(start)
}

// recorder collects the events of a network.
type recorder struct {
	mu     sync.Mutex
	events []Event
}

func observe(net *Network) *recorder {
	r := &recorder{}
	net.Observe(func(ev Event) {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.events = append(r.events, ev)
	})
	return r
}

func (r *recorder) all() []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Event(nil), r.events...)
}

func (r *recorder) lastKind() EventKind {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.events[len(r.events)-1].Kind
}

func encodedLen(t *testing.T, v any) int64 {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, labgob.NewEncoder(&buf).Encode(v))
	return int64(buf.Len())
}

func TestReliableCallDeliversReplyAtOnce(t *testing.T) {
	// "At once": within the 100µs a request spends on the wire.
	synctest.Test(t, func(t *testing.T) {
		_, end, peer := newTestNet(t, 1)
		var reply EchoReply
		ok, d := timedCall(end, "Peer.Echo", &EchoArgs{X: 7, S: "seven", L: []int{1, 2}}, &reply)
		require.True(t, ok)
		assert.Equal(t, EchoReply{X: 7, S: "seven", L: []int{1, 2}}, reply)
		assert.LessOrEqual(t, d, travelTimeMax, "a reliable network adds no delay but the travel time")
		assert.Equal(t, 1, peer.Handled())

		// Args may be passed by value, and a handler may take them by value.
		var reply2 EchoReply
		require.True(t, end.Call("Peer.ByValue", EchoArgs{X: 8}, &reply2))
		assert.Equal(t, 8, reply2.X)
	})
}

func TestUnreachableWhenDisabledUnconnectedOrNoServer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		net := NewNetwork(1)
		peer := addPeer(net, "s1")
		rec := observe(net)

		fresh := net.NewEnd("fresh")
		net.Connect("fresh", "s1") // connected, but a new end is disabled
		unconnected := net.NewEnd("unconnected")
		net.Enable("unconnected", true)
		nowhere := connect(net, "nowhere", "s9")
		cases := map[*ClientEnd]string{fresh: "s1", unconnected: "", nowhere: "s9"}

		for end, server := range cases {
			var reply EchoReply
			ok, d := timedCall(end, "Peer.Echo", &EchoArgs{X: 1}, &reply)
			assert.False(t, ok)
			assert.LessOrEqual(t, d, 100*time.Millisecond)
			assert.Zero(t, reply)
			events := rec.all()
			last := events[len(events)-1]
			assert.Equal(t, Unreachable, last.Kind)
			assert.Equal(t, server, last.Server, "the event names the server the end was connected to")
		}
		assert.Zero(t, peer.Handled())
		assert.Zero(t, net.Count("s1"))
		assert.Equal(t, 3, net.TotalCount())
	})
}

func TestNewEndPanicsOnDuplicateName(t *testing.T) {
	net := NewNetwork(1)
	net.NewEnd("e1")
	assert.Panics(t, func() { net.NewEnd("e1") })
	assert.Panics(t, func() { net.Connect("e2", "s1") }, "no end e2")
}

func TestCountsAndBytesAreExact(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		net := NewNetwork(1)
		addPeer(net, "s1")
		addPeer(net, "s2")
		e1 := connect(net, "e1", "s1")
		e2 := connect(net, "e2", "s2")
		off := connect(net, "off", "s1")
		net.Enable("off", false)

		var want1, want2, total int64
		for i := range 5 {
			args := &EchoArgs{X: i * 1000, S: string(make([]byte, i*10))}
			require.True(t, e1.Call("Peer.Echo", args, &EchoReply{}))
			want1 += encodedLen(t, args)
		}
		for i := range 3 {
			args := &EchoArgs{L: make([]int, i+1)}
			require.True(t, e2.Call("Peer.Echo", args, &EchoReply{}))
			want2 += encodedLen(t, args)
		}
		offArgs := &EchoArgs{S: "lost"}
		require.False(t, off.Call("Peer.Echo", offArgs, &EchoReply{}))
		require.False(t, e1.Call("Peer.NoSuchMethod", offArgs, &EchoReply{}))
		total = want1 + want2 + 2*encodedLen(t, offArgs)

		assert.Equal(t, 5, net.Count("s1"))
		assert.Equal(t, want1, net.Bytes("s1"))
		assert.Equal(t, 3, net.Count("s2"))
		assert.Equal(t, want2, net.Bytes("s2"))
		assert.Equal(t, 10, net.TotalCount(), "every call counts, delivered or not")
		assert.Equal(t, total, net.TotalBytes())
		assert.Zero(t, net.Count("s9"))

		// Counts belong to the name and survive a restart.
		addPeer(net, "s1")
		require.True(t, e1.Call("Peer.Echo", &EchoArgs{}, &EchoReply{}))
		assert.Equal(t, 6, net.Count("s1"))
	})
}

func TestArgsAndRepliesAreCopies(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, end, peer := newTestNet(t, 1)
		args := &EchoArgs{X: 1, L: []int{1, 2}}
		reply := &EchoReply{}
		require.True(t, end.Call("Peer.Echo", args, reply))

		serverArgs, serverReply := peer.last()
		assert.NotSame(t, args, serverArgs)
		assert.NotSame(t, reply, serverReply)

		// Changing the caller's values after the call changes nothing on
		// the server, and the other way round.
		args.L[0] = 100
		reply.L[1] = 200
		assert.Equal(t, []int{1, 2}, serverArgs.L)
		assert.Equal(t, []int{1, 2}, serverReply.L)
		serverReply.X = 300
		assert.Equal(t, 1, reply.X)
	})
}

// Call after call of one method, whose arguments and replies are decoded
// by decoders compiled once, each handler gets exactly what its caller
// sent (a zero field after a set one included), each caller exactly its
// reply, and no call's values share memory with another's.
func TestCallAfterCallCopiesExactly(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, end, peer := newTestNet(t, 1)
		var earlier []*EchoArgs
		for i := range 6 {
			args := &EchoArgs{X: i % 2 * 5, S: strings.Repeat("s", i%3), L: []int{i, i + 1}[:i%3]}
			if i%3 == 0 {
				args.L = nil
			}
			var reply EchoReply
			require.True(t, end.Call("Peer.Echo", args, &reply))
			serverArgs, _ := peer.last()
			assert.Equal(t, args, serverArgs, "call %d", i)
			assert.Equal(t, EchoReply{X: args.X, S: args.S, L: args.L}, reply, "call %d", i)
			earlier = append(earlier, serverArgs)
		}
		for i, a := range earlier {
			assert.Equal(t, i%2*5, a.X, "call %d's arguments are unchanged by the calls after it", i)
			if len(a.L) > 0 {
				assert.Equal(t, i, a.L[0], "call %d's arguments are unchanged by the calls after it", i)
			}
		}
	})
}

func TestDeletedServerReplyNeverDelivered(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		net, end, peer := newTestNet(t, 1)
		rec := observe(net)
		var ok bool
		reply := &EchoReply{}
		done := make(chan struct{})
		go func() {
			ok = end.Call("Peer.Block", &EchoArgs{X: 1}, reply)
			close(done)
		}()
		waitInHandler() // the handler is running, blocked on peer.release
		require.Equal(t, 1, peer.Handled())

		start := time.Now()
		net.DeleteServer("s1")
		<-done
		assert.False(t, ok)
		assert.Zero(t, time.Since(start), "Call returns at once, without waiting for the handler")
		assert.Equal(t, ServerDead, rec.lastKind())

		close(peer.release) // the handler finishes and replies to no one
		synctest.Wait()
		_, serverReply := peer.last()
		assert.Equal(t, 99, serverReply.X)
		assert.Zero(t, *reply, "the caller's reply is untouched")
		assert.Equal(t, 1, net.Count("s1"))
	})
}

func TestReplacedServerCountsAsDeleted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		net, end, old := newTestNet(t, 1)
		var ok bool
		reply := &EchoReply{}
		done := make(chan struct{})
		go func() {
			ok = end.Call("Peer.Block", &EchoArgs{}, reply)
			close(done)
		}()
		waitInHandler()
		restarted := addPeer(net, "s1")
		<-done
		assert.False(t, ok)
		close(old.release)
		synctest.Wait()
		assert.Zero(t, *reply)

		// The end now reaches the new server.
		require.True(t, end.Call("Peer.Echo", &EchoArgs{}, &EchoReply{}))
		assert.Equal(t, 1, restarted.Handled())
	})
}

func TestDisablingEndDiscardsReplyInFlight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		net, end, peer := newTestNet(t, 1)
		rec := observe(net)
		var ok bool
		reply := &EchoReply{}
		done := make(chan struct{})
		go func() {
			ok = end.Call("Peer.Block", &EchoArgs{}, reply)
			close(done)
		}()
		waitInHandler()
		net.Enable("e1", false)
		synctest.Wait()
		select {
		case <-done:
			t.Fatal("Call returned before its handler finished")
		default:
		}
		close(peer.release)
		<-done
		assert.False(t, ok)
		assert.Zero(t, *reply)
		assert.Equal(t, ServerDead, rec.lastKind())
	})
}

func TestServerDeletedDuringRequestDelay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		net, end, peer := newTestNet(t, 1)
		net.SetReliable(false)
		rec := observe(net)
		var ok bool
		done := make(chan struct{})
		go func() {
			ok = end.Call("Peer.Echo", &EchoArgs{}, &EchoReply{})
			close(done)
		}()
		synctest.Wait() // the request is in its 0–27 ms delay
		net.DeleteServer("s1")
		<-done
		assert.False(t, ok)
		assert.Zero(t, peer.Handled(), "a deleted server's handler does not run")
		assert.Contains(t, []EventKind{ServerDead, RequestDropped}, rec.lastKind())
	})
}

func TestEventsSentThenOneOutcome(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		net, end, _ := newTestNet(t, 3)
		net.SetReliable(false)
		rec := observe(net)

		const calls = 400
		var oks []bool
		for i := range calls {
			net.Enable("e1", i%10 != 0) // some calls are unreachable
			ok := end.Call("Peer.Echo", &EchoArgs{X: i}, &EchoReply{})
			oks = append(oks, ok)
		}
		events := rec.all()
		require.Len(t, events, 2*calls)

		seen := map[EventKind]int{}
		for i, ok := range oks {
			sent, outcome := events[2*i], events[2*i+1]
			require.Equal(t, Sent, sent.Kind)
			assert.NotEqual(t, Sent, outcome.Kind)
			assert.Equal(t, ok, outcome.Kind == Delivered, "call %d: ok %v, outcome %v", i, ok, outcome.Kind)
			if i%10 == 0 {
				assert.Equal(t, Unreachable, outcome.Kind)
			}
			seen[outcome.Kind]++

			for _, ev := range []Event{sent, outcome} {
				assert.Equal(t, "e1", ev.End)
				assert.Equal(t, "s1", ev.Server)
				assert.Equal(t, "Peer.Echo", ev.Method)
				assert.Equal(t, len(ev.Args), ev.Bytes)
			}
			assert.False(t, outcome.Time.Before(sent.Time))
			var args EchoArgs
			require.NoError(t, labgob.NewDecoder(bytes.NewReader(sent.Args)).Decode(&args))
			assert.Equal(t, i, args.X, "an observer can decode the request")
		}
		for _, kind := range []EventKind{Delivered, RequestDropped, ReplyLost, Unreachable} {
			assert.Positive(t, seen[kind], "no %v events", kind)
		}

		// A panicking handler's outcome is ServerDead.
		net.SetReliable(true)
		net.Enable("e1", true)
		require.False(t, end.Call("Peer.Panic", &EchoArgs{}, &EchoReply{}))
		assert.Equal(t, ServerDead, rec.lastKind())

		net.Observe(nil)
		end.Call("Peer.Echo", &EchoArgs{}, &EchoReply{})
		assert.Len(t, rec.all(), 2*calls+2, "no events after Observe(nil)")
	})
}

func TestEventKindString(t *testing.T) {
	want := map[EventKind]string{
		Sent:           "sent",
		Delivered:      "delivered",
		RequestDropped: "request dropped",
		ReplyLost:      "reply lost",
		Unreachable:    "unreachable",
		ServerDead:     "server dead",
		EventKind(42):  "EventKind(42)",
	}
	for kind, s := range want {
		assert.Equal(t, s, kind.String())
	}
}

// TestCloseBlocksCallsForever runs outside a synctest bubble: a bubble
// cannot end while one of its goroutines is blocked forever. It waits a
// little real time, and leaves the blocked goroutines behind.
func TestCloseBlocksCallsForever(t *testing.T) {
	net, end, peer := newTestNet(t, 1)
	peer.entered = make(chan struct{})

	var returned atomic.Int32
	go func() {
		end.Call("Peer.Block", &EchoArgs{}, &EchoReply{})
		returned.Add(1)
	}()
	<-peer.entered // a call is in flight

	net.Close()
	net.Close() // twice is fine
	go func() {
		end.Call("Peer.Echo", &EchoArgs{}, &EchoReply{})
		returned.Add(1)
	}()
	close(peer.release) // the in-flight handler finishes
	time.Sleep(100 * time.Millisecond)
	assert.Zero(t, returned.Load(), "a Call returned after Close")
	assert.Equal(t, 1, peer.Handled(), "the new call was not delivered")
}

func TestConcurrentUse(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		net, _, _ := newTestNet(t, 1)
		net.SetReliable(false)
		net.SetLongReordering(true)
		rec := observe(net)

		const clients, calls = 20, 30
		var delivered atomic.Int32
		var wg sync.WaitGroup
		for c := range clients {
			end := connect(net, "c"+string(rune('A'+c)), "s1")
			wg.Go(func() {
				for i := range calls {
					if end.Call("Peer.Echo", &EchoArgs{X: i}, &EchoReply{}) {
						delivered.Add(1)
					}
				}
			})
		}
		// Meanwhile, the world changes.
		for i := range 20 {
			time.Sleep(100 * time.Millisecond)
			net.Enable("cA", i%2 == 0)
			net.SetReliable(i%3 == 0)
			net.SetLongDelays(i%4 == 0)
			if i%5 == 0 {
				addPeer(net, "s1")
			}
			_ = net.Count("s1") + net.TotalCount()
		}
		wg.Wait()

		assert.Equal(t, clients*calls, net.TotalCount())
		kinds := map[EventKind]int{}
		for _, ev := range rec.all() {
			kinds[ev.Kind]++
		}
		assert.Equal(t, clients*calls, kinds[Sent])
		assert.Equal(t, int(delivered.Load()), kinds[Delivered])
		outcomes := 0
		for kind, n := range kinds {
			if kind != Sent {
				outcomes += n
			}
		}
		assert.Equal(t, clients*calls, outcomes, "one outcome per call")
	})
}

func BenchmarkCall(b *testing.B) {
	net := NewNetwork(1)
	addPeer(net, "s1")
	end := connect(net, "e1", "s1")
	args := &EchoArgs{X: 1, S: "x"}
	b.ReportAllocs()
	for b.Loop() {
		if !end.Call("Peer.Echo", args, &EchoReply{}) {
			b.Fatal("call failed on a reliable network")
		}
	}
}

func TestEveryEventOfACallCarriesItsNumber(t *testing.T) {
	net := NewNetwork(1)
	var mu sync.Mutex
	calls := map[int][]EventKind{}
	net.Observe(func(ev Event) {
		mu.Lock()
		defer mu.Unlock()
		calls[ev.Call] = append(calls[ev.Call], ev.Kind)
	})
	end := net.NewEnd("c")
	net.Connect("c", "nobody")
	net.Enable("c", true)
	var reply int
	for range 3 {
		end.Call("Svc.M", 1, &reply)
	}
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, map[int][]EventKind{1: {Sent, Unreachable}, 2: {Sent, Unreachable}, 3: {Sent, Unreachable}}, calls)
}
