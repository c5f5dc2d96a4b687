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

// Every service of one receiver type, made for each server each time a
// test starts one, decodes its arguments with the same decoders: one
// compiled per argument type, not per server and restart.
func TestServicesShareTheirArgumentDecoders(t *testing.T) {
	first, second := NewService(&Peer{}), NewService(&Peer{})
	for name, m := range first.methods {
		assert.Same(t, m.args, second.methods[name].args, "Peer.%s", name)
	}
	assert.NotSame(t, first.methods["Echo"].args, first.methods["ByValue"].args,
		"*EchoArgs and EchoArgs are two argument types")
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

func TestReplyTypeGobCannotFillIsProblem(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		net, end, peer := newTestNet(t, 1)
		assert.False(t, end.Call("Peer.Echo", &EchoArgs{}, &OtherReply{}))
		assert.False(t, end.Call("Peer.Echo", &EchoArgs{}, &MismatchedArgs{}))
		assert.False(t, end.Call("Peer.Echo", &EchoArgs{}, EchoReply{}))
		assert.False(t, end.Call("Peer.Echo", &EchoArgs{}, (*EchoReply)(nil)))
		assert.Zero(t, peer.Handled())
		assert.Equal(t, []string{
			"labrpc: Peer.Echo takes a reply of type *labrpc.EchoReply, which gob cannot decode into the caller's " +
				"*labrpc.OtherReply: gob: type mismatch: no fields matched compiling decoder for OtherReply",
			"labrpc: Peer.Echo takes a reply of type *labrpc.EchoReply, which gob cannot decode into the caller's " +
				"*labrpc.MismatchedArgs: gob: wrong type (string) for received field EchoReply.X",
			"labrpc: Peer.Echo takes a reply of type *labrpc.EchoReply, but the caller passed labrpc.EchoReply, which is not a pointer",
			"labrpc: Peer.Echo: the caller passed a nil reply",
		}, net.Problems())
	})
}

// EchoSubset shares X and S with EchoReply, as a student's
// InstallSnapshotArgs shares Term with InstallSnapshotReply.
type EchoSubset struct {
	X     int
	S     string
	Extra bool
}

// TestGobCompatibleReplyTypeIsDecodedByFieldName is a handler whose reply
// parameter is another type of its own package than the caller's: MIT's
// labrpc moves the reply through gob, so the fields the two share arrive,
// and so they do here, counted and observed as any reply.
func TestGobCompatibleReplyTypeIsDecodedByFieldName(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		net, end, peer := newTestNet(t, 1)
		rec := observe(net)
		args := &EchoArgs{X: 7, S: "hi", L: []int{1, 2}}
		var reply EchoSubset
		require.True(t, end.Call("Peer.Echo", args, &reply))
		assert.Equal(t, EchoSubset{X: 7, S: "hi"}, reply)
		assert.Empty(t, net.Problems())
		assert.Equal(t, 1, peer.Handled())
		assert.Equal(t, 1, net.TotalCount())
		assert.Equal(t, encodedLen(t, args), net.TotalBytes(), "only the request is counted")
		assert.Equal(t, Delivered, rec.lastKind())
		assert.Equal(t, int(encodedLen(t, &EchoReply{X: 7, S: "hi", L: []int{1, 2}})), len(rec.events[len(rec.events)-1].Reply),
			"the event carries the handler's reply as it was sent")
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
