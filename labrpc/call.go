package labrpc

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"
)

// Call sends an RPC to the server the end is connected to and waits for the
// reply. svcMeth is "Type.Method", such as "Raft.RequestVote"; args is a
// value or a pointer, and reply a pointer to a fresh zero value of the
// handler's reply type, or of any type gob can decode that type into (gob
// matches fields by name, as in MIT's labrpc). Call returns true if the
// reply arrived and was copied into reply, and false if the request or the
// reply was lost, in which case reply is untouched. The package comment lists every reason for
// false.
func (e *ClientEnd) Call(svcMeth string, args any, reply any) bool {
	return e.net.call(e.name, svcMeth, args, reply)
}

// call carries out one call through the end called endName.
func (n *Network) call(endName, svcMeth string, args, reply any) bool {
	growStack()
	n.blockIfClosed()

	req, encodeErr := n.encoders.Encode(args)
	if encodeErr != nil {
		req = nil
	}

	n.mu.Lock()
	n.totalCount++
	call := n.totalCount
	n.totalBytes += int64(len(req))
	n.countCallLocked(endName, svcMeth)
	end := n.ends[endName]
	serverName := end.server
	var entry *serverEntry
	if end.enabled {
		entry = n.servers[serverName]
	}
	reliable, longReordering := n.reliable, n.longReordering
	p := newPlan(end.rng, n.longDelays)
	n.mu.Unlock()

	ev := Event{Call: call, End: endName, Server: serverName, Method: svcMeth, Args: req, Value: args, Bytes: len(req), Time: time.Now()}
	n.emit(ev, Sent)

	if encodeErr != nil {
		n.report(fmt.Sprintf("labrpc: %s: cannot encode args of type %T: %v", svcMeth, args, encodeErr), "")
		return n.fail(ev, Unreachable, p.failDelay)
	}
	if entry == nil {
		return n.fail(ev, Unreachable, p.failDelay)
	}
	m, argv, ok := n.prepare(entry.srv, serverName, svcMeth, req, args, reply)
	if !ok {
		return n.fail(ev, Unreachable, p.failDelay)
	}

	if !reliable {
		n.sleep(p.requestDelay)
		if p.dropRequest {
			return n.fail(ev, RequestDropped, p.failDelay)
		}
	} else {
		// A few microseconds on the wire: without them, the many calls
		// of a reliable network would all land at the same instant of the
		// virtual clock, where the Go runtime picks the order of the
		// goroutines they wake at random, and a seed would not replay.
		n.sleep(p.travelTime)
	}

	// Deliver, unless the server or the end went away during the delay.
	n.mu.Lock()
	live := n.liveLocked(endName, serverName, entry)
	if live {
		n.count[serverName]++
		n.bytes[serverName] += int64(len(req))
	}
	n.mu.Unlock()
	if !live {
		return n.fail(ev, ServerDead, 0)
	}

	done := make(chan result, 1) // so that the handler never waits for a caller who left
	n.runHandler(entry, func() { m.serve(argv, done, "handler "+svcMeth+" on server "+serverName, &n.encoders, n.report) })
	var res result
	select {
	case res = <-done:
	case <-entry.dead:
		return n.fail(ev, ServerDead, 0)
	case <-n.closed:
		select {}
	}

	n.mu.Lock()
	live = n.liveLocked(endName, serverName, entry)
	n.mu.Unlock()
	if !live || !res.ok {
		return n.fail(ev, ServerDead, 0)
	}
	if !reliable && p.loseReply {
		return n.fail(ev, ReplyLost, 0)
	}
	if longReordering && p.reorder {
		n.sleep(p.reorderDelay)
	}
	if err := n.replies.Decode(res.reply, reply); err != nil {
		n.report(fmt.Sprintf("labrpc: %s: cannot decode reply into %T: %v", svcMeth, reply, err), "")
		return n.fail(ev, ReplyLost, 0)
	}
	n.blockIfClosed()
	ev.Time = time.Now()
	ev.Reply = res.reply
	n.emit(ev, Delivered)
	return true
}

// runHandler runs serve, one call's handler, in a goroutine of its own, as
// a real RPC server does: a handler that blocks holds up no other call.
// With SetHandlerReuse on, the goroutine is one of the server's that has
// finished its last call, if one is idle (handlerLoop).
func (n *Network) runHandler(entry *serverEntry, serve func()) {
	if n.reuse.Load() != nil {
		select {
		case entry.idle <- serve:
			return
		default:
		}
	}
	go n.handlerLoop(entry, serve)
}

// handlerLoop is a handler goroutine of the server entry. It serves one
// call; with SetHandlerReuse on, it then waits for the server's next call,
// until the server is deleted or replaced, the network is closed, or reuse
// is turned off. A handler that calls runtime.Goexit ends its goroutine,
// as it would end one of its own (serve still sends its result).
func (n *Network) handlerLoop(entry *serverEntry, serve func()) {
	for {
		serve()
		stop := n.reuse.Load()
		if stop == nil {
			return
		}
		select {
		case serve = <-entry.idle:
		case <-entry.dead:
			return
		case <-n.closed:
			return
		case <-*stop:
			return
		}
	}
}

// liveLocked reports whether entry is still the server called serverName
// and the end called endName is still enabled. n.mu must be held.
func (n *Network) liveLocked(endName, serverName string, entry *serverEntry) bool {
	return n.servers[serverName] == entry && n.ends[endName].enabled
}

// prepare finds the handler for svcMeth on srv, checks the reply's type and
// decodes the arguments, req, which were just encoded from src. It reports
// any mistake and returns ok false.
func (n *Network) prepare(srv *Server, serverName, svcMeth string, req []byte, src, reply any) (m *method, args reflect.Value, ok bool) {
	m = srv.method(svcMeth)
	if m == nil {
		have := "no methods"
		if names := srv.methodNames(); len(names) > 0 {
			have = strings.Join(names, ", ")
		}
		n.report(fmt.Sprintf("labrpc: server %s has no method %s; it has %s", serverName, svcMeth, have), "")
		return nil, reflect.Value{}, false
	}
	if t := reflect.TypeOf(reply); t == nil || t.Kind() != reflect.Pointer {
		n.report(fmt.Sprintf("labrpc: %s takes a reply of type %v, but the caller passed %v, which is not a pointer",
			svcMeth, m.replyType, t), "")
		return nil, reflect.Value{}, false
	} else if err := replyFits(m.replyType, t); err != nil {
		n.report(fmt.Sprintf("labrpc: %s takes a reply of type %v, which gob cannot decode into the caller's %v: %v",
			svcMeth, m.replyType, t, err), "")
		return nil, reflect.Value{}, false
	}
	if reflect.ValueOf(reply).IsNil() {
		n.report(fmt.Sprintf("labrpc: %s: the caller passed a nil reply", svcMeth), "")
		return nil, reflect.Value{}, false
	}
	args, err := m.decodeArgs(req, src)
	if err != nil {
		n.report(fmt.Sprintf("labrpc: %s on server %s: cannot decode args as %v: %v", svcMeth, serverName, m.argType, err), "")
		return nil, reflect.Value{}, false
	}
	return m, args, true
}

// fail ends a call that got no reply: it waits d, as a client waits for a
// reply that never comes, then reports the outcome and returns false.
func (n *Network) fail(ev Event, kind EventKind, d time.Duration) bool {
	n.sleep(d)
	ev.Time = time.Now()
	n.emit(ev, kind)
	return false
}

// sleep waits d, then blocks forever if the network was closed meanwhile.
func (n *Network) sleep(d time.Duration) {
	if d > 0 {
		time.Sleep(d)
	}
	n.blockIfClosed()
}

// replyFits returns nil if gob can decode a reply of the handler's type
// into the caller's type, both pointers: the same type, or any type whose
// fields gob matches by name, as MIT's labrpc allows by moving every reply
// through gob (an InstallSnapshotReply decoded from a handler's
// *InstallSnapshotArgs gets its Term; a test's own rendering of a message
// gets the fields it shares with the student's). It tries a zero value of
// each pair once, and remembers the answer.
func replyFits(handler, caller reflect.Type) error {
	if handler == caller {
		return nil
	}
	key := [2]reflect.Type{handler, caller}
	if err, ok := replyFit.Load(key); ok {
		return err.(fit).err
	}
	var buf bytes.Buffer
	err := gob.NewEncoder(&buf).EncodeValue(reflect.New(handler.Elem()))
	if err == nil {
		err = gob.NewDecoder(&buf).DecodeValue(reflect.New(caller.Elem()))
	}
	replyFit.Store(key, fit{err})
	return err
}

// replyFit holds replyFits's answer for each pair of types.
var replyFit sync.Map

type fit struct{ err error }

// growStack grows the calling goroutine's stack, at once, to the room a
// call needs below it. gob's encoder and decoder and the observers go
// deep, and in a goroutine new for each call (a Raft's sends usually are)
// the stack would otherwise grow several times inside them, each time
// copying every frame on it; grown here, only the caller's few frames are
// copied, once. A goroutine whose stack is large enough already pays only
// for clearing this frame.
//
//go:noinline
func growStack() byte {
	var room [stackRoom]byte
	return room[stackIndex] // a read the compiler cannot drop, so it keeps room
}

// stackRoom is the size of growStack's frame: about what a call's deepest
// path through gob and the observers takes.
const stackRoom = 8 << 10

// stackIndex is where growStack reads its frame: a variable, so that the
// compiler cannot drop the frame. It is never written.
var stackIndex = 0
