package labrpc

import (
	"bytes"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Where is a service whose handlers reply with the goroutine they ran in.
type Where struct{ release chan struct{} }

func (w *Where) ID(args int, reply *int) { *reply = goroutineID() }

// Hold waits until release is closed.
func (w *Where) Hold(args int, reply *int) {
	*reply = goroutineID()
	<-w.release
}

func (w *Where) Exit(args int, reply *int) { runtime.Goexit() }

func (w *Where) Panic(args int, reply *int) { panic("boom") }

func goroutineID() int {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	id, _ := strconv.Atoi(string(bytes.Fields(buf)[1]))
	return id
}

// idleHandlers counts the handler goroutines waiting for a call.
func idleHandlers() int {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	n := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "(*Network).handlerLoop(") && !strings.Contains(g, "(*method).serve(") {
			n++
		}
	}
	return n
}

// newWhereNet returns a network with a Where as server s1 and an end e1
// connected to it, with handler reuse on or off.
func newWhereNet(reuse bool) (*Network, *ClientEnd, *Where) {
	net := NewNetwork(1)
	net.SetHandlerReuse(reuse)
	w := &Where{release: make(chan struct{})}
	srv := NewServer()
	srv.AddService(NewService(w))
	net.AddServer("s1", srv)
	return net, connect(net, "e1", "s1"), w
}

func where(t *testing.T, end *ClientEnd, method string) int {
	t.Helper()
	var id int
	require.True(t, end.Call("Where."+method, 0, &id), "a call on a reliable network failed")
	return id
}

func TestHandlerGoroutinesAreReusedOnlyWhenAsked(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		net, end, _ := newWhereNet(true)
		defer net.Close()
		first := where(t, end, "ID")
		assert.Equal(t, first, where(t, end, "ID"), "the second call's handler ran in a new goroutine")
		assert.Equal(t, 1, idleHandlers())
	})
	synctest.Test(t, func(t *testing.T) {
		_, end, _ := newWhereNet(false)
		first := where(t, end, "ID")
		assert.NotEqual(t, first, where(t, end, "ID"), "without reuse, each call's handler has a goroutine of its own")
		assert.Zero(t, idleHandlers())
	})
}

// A handler that blocks holds up no other call: the next call gets a
// goroutine of its own.
func TestABlockedHandlerHoldsUpNoOtherCall(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		net, end, w := newWhereNet(true)
		defer net.Close()
		idle := where(t, end, "ID")
		held := make(chan int)
		go func() {
			var id int
			end.Call("Where.Hold", 0, &id) // not where: FailNow belongs to the test's goroutine
			held <- id
		}()
		waitInHandler()
		other := where(t, end, "ID")
		close(w.release)
		holder := <-held
		assert.Equal(t, idle, holder, "the held call did not get the idle goroutine")
		assert.NotEqual(t, holder, other, "a call waited for a blocked handler's goroutine")
		assert.Equal(t, 2, idleHandlers())
	})
}

// A handler that panics or calls runtime.Goexit fails its call, and the
// server goes on serving.
func TestAHandlerThatPanicsOrExitsLeavesTheServerServing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		net, end, _ := newWhereNet(true)
		defer net.Close()
		idle := where(t, end, "ID")
		var reply int
		assert.False(t, end.Call("Where.Panic", 0, &reply))
		assert.Equal(t, idle, where(t, end, "ID"), "a recovered panic ended the handler goroutine")
		assert.False(t, end.Call("Where.Exit", 0, &reply))
		assert.NotEqual(t, idle, where(t, end, "ID"), "runtime.Goexit ends the goroutine that calls it")
		assert.Len(t, net.Problems(), 1, "the panic is a problem; an exit is the handler's choice")
	})
}

// Idle handler goroutines end with their server, or with the network:
// nothing of a test is left waiting when its bubble ends.
func TestIdleHandlersEndWithTheirServer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		net, end, _ := newWhereNet(true)
		where(t, end, "ID")
		net.DeleteServer("s1")
		synctest.Wait()
		assert.Zero(t, idleHandlers(), "after DeleteServer")

		w := &Where{}
		srv := NewServer()
		srv.AddService(NewService(w))
		net.AddServer("s1", srv)
		where(t, end, "ID")
		net.AddServer("s1", srv) // a restart replaces the entry
		synctest.Wait()
		assert.Zero(t, idleHandlers(), "after the server was replaced")

		where(t, end, "ID")
		net.SetHandlerReuse(false)
		synctest.Wait()
		assert.Zero(t, idleHandlers(), "after reuse was turned off")

		net.SetHandlerReuse(true)
		where(t, end, "ID")
		net.Close()
		synctest.Wait()
		assert.Zero(t, idleHandlers(), "after Close")
	})
}
