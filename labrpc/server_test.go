package labrpc

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewServiceFindsHandlers(t *testing.T) {
	svc := NewService(&Peer{})
	assert.Equal(t, "Peer", svc.name)
	assert.Equal(t, []string{"Block", "ByValue", "Echo", "Panic"}, slices.Sorted(maps.Keys(svc.methods)),
		"Handled has a result and NotAHandler's reply is not a pointer")
}

func TestHandlerPanicBecomesProblem(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		net, end, peer := newTestNet(t, 1)
		reply := &EchoReply{}
		assert.False(t, end.Call("Peer.Panic", &EchoArgs{}, reply))
		assert.Zero(t, *reply)
		assert.Equal(t, 1, peer.Handled())

		problems := net.Problems()
		require.Len(t, problems, 1)
		assert.True(t, strings.HasPrefix(problems[0], "labrpc: handler Peer.Panic on server s1 panicked: boom\n"), problems[0])
		assert.Contains(t, problems[0], "(*Peer).Panic", "the problem includes the stack")

		// The process, the server and the network carry on.
		assert.True(t, end.Call("Peer.Echo", &EchoArgs{}, &EchoReply{}))
		assert.False(t, end.Call("Peer.Panic", &EchoArgs{}, &EchoReply{}))
		assert.Len(t, net.Problems(), 1, "the same panic is recorded once")
	})
}

func TestUnknownMethodIsProblem(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		net, end, peer := newTestNet(t, 1)
		rec := observe(net)
		assert.False(t, end.Call("Peer.Ech", &EchoArgs{}, &EchoReply{}))
		assert.Equal(t, Unreachable, rec.lastKind())
		assert.False(t, end.Call("Raft.Echo", &EchoArgs{}, &EchoReply{}))
		assert.False(t, end.Call("Echo", &EchoArgs{}, &EchoReply{}))
		assert.Zero(t, peer.Handled())
		assert.Equal(t, []string{
			"labrpc: server s1 has no method Peer.Ech; it has Peer.Block, Peer.ByValue, Peer.Echo, Peer.Panic",
			"labrpc: server s1 has no method Raft.Echo; it has Peer.Block, Peer.ByValue, Peer.Echo, Peer.Panic",
			"labrpc: server s1 has no method Echo; it has Peer.Block, Peer.ByValue, Peer.Echo, Peer.Panic",
		}, net.Problems())

		net.AddServer("empty", NewServer())
		assert.False(t, connect(net, "e2", "empty").Call("Peer.Echo", &EchoArgs{}, &EchoReply{}))
		assert.Contains(t, net.Problems(), "labrpc: server empty has no method Peer.Echo; it has no methods")
	})
}

type OtherReply struct{ Y int }

type MismatchedArgs struct{ X string }

func TestWrongReplyTypeIsProblem(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		net, end, peer := newTestNet(t, 1)
		assert.False(t, end.Call("Peer.Echo", &EchoArgs{}, &OtherReply{}))
		assert.False(t, end.Call("Peer.Echo", &EchoArgs{}, EchoReply{}))
		assert.False(t, end.Call("Peer.Echo", &EchoArgs{}, (*EchoReply)(nil)))
		assert.Zero(t, peer.Handled())
		assert.Equal(t, []string{
			"labrpc: Peer.Echo takes a reply of type *labrpc.EchoReply, but the caller passed *labrpc.OtherReply",
			"labrpc: Peer.Echo takes a reply of type *labrpc.EchoReply, but the caller passed labrpc.EchoReply",
			"labrpc: Peer.Echo: the caller passed a nil reply",
		}, net.Problems())
	})
}

func TestBadArgsAreProblems(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		net, end, peer := newTestNet(t, 1)
		assert.False(t, end.Call("Peer.Echo", &MismatchedArgs{X: "x"}, &EchoReply{}))
		assert.False(t, end.Call("Peer.Echo", nil, &EchoReply{}))
		assert.Zero(t, peer.Handled())
		problems := net.Problems()
		require.Len(t, problems, 2)
		assert.Contains(t, problems[0], "labrpc: Peer.Echo on server s1: cannot decode args as *labrpc.EchoArgs: ")
		assert.Contains(t, problems[1], "labrpc: Peer.Echo: cannot encode args of type <nil>: ")
	})
}

func TestForeignReplyStructDecodedByFieldName(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		net, end, _ := newTestNet(t, 1)
		// A struct from outside the handler's package, as a test's own copy
		// of the message is, gets the fields it shares with the real reply.
		var reply struct{ S string }
		assert.True(t, end.Call("Peer.Echo", &EchoArgs{S: "hi"}, &reply))
		assert.Equal(t, "hi", reply.S)
		assert.Empty(t, net.Problems())
	})
}
