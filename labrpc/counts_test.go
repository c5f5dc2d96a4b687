package labrpc

import (
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCallCountsByEndAndMethod(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		net, e1, _ := newTestNet(t, 1)
		e2 := connect(net, "e2", "nobody") // unreachable calls count too
		for range 3 {
			e1.Call("Peer.Echo", &EchoArgs{}, &EchoReply{})
		}
		e1.Call("Peer.ByValue", EchoArgs{}, &EchoReply{})
		e2.Call("Peer.Echo", &EchoArgs{}, &EchoReply{})

		assert.Equal(t, []CallCount{
			{End: "e1", Method: "Peer.Echo", Calls: 3},
			{End: "e1", Method: "Peer.ByValue", Calls: 1},
			{End: "e2", Method: "Peer.Echo", Calls: 1},
		}, net.CallCounts())
	})
}

func TestDeliveredEventsCarryTheReply(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		net, e1, _ := newTestNet(t, 1)
		rec := observe(net)
		require.True(t, e1.Call("Peer.Echo", &EchoArgs{}, &EchoReply{}))
		events := rec.all()
		require.Len(t, events, 2)
		assert.Nil(t, events[0].Reply, "a Sent event has no reply")
		assert.NotEmpty(t, events[1].Reply, "a Delivered event carries the encoded reply")
	})
}

func TestNamedService(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		net := NewNetwork(1)
		srv := NewServer()
		srv.AddService(NewNamedService("Raft", &Peer{release: make(chan struct{})}))
		net.AddServer("s1", srv)
		end := connect(net, "e1", "s1")
		assert.True(t, end.Call("Raft.Echo", &EchoArgs{}, &EchoReply{}), "the handlers answer under the given name")
	})
}
