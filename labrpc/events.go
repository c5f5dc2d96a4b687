package labrpc

import (
	"strconv"
	"time"
)

// An EventKind says what happened to a call. Every Call reports Sent first
// and then exactly one of the other kinds, its outcome.
type EventKind int

const (
	// Sent means the call was made and its arguments encoded.
	Sent EventKind = iota
	// Delivered means the handler ran and its reply was handed back: Call
	// returned true.
	Delivered
	// RequestDropped means the unreliable network lost the request. The
	// handler did not run.
	RequestDropped
	// ReplyLost means the handler ran, but the unreliable network lost its
	// reply (or the reply could not be decoded).
	ReplyLost
	// Unreachable means the end was disabled or not connected, no server
	// had the name it was connected to, or the call was a mistake reported
	// by Problems. The handler did not run.
	Unreachable
	// ServerDead means the server was deleted or replaced, or the end
	// disabled, after the request was sent, or the handler panicked. Any
	// reply was discarded.
	ServerDead
)

var kindNames = [...]string{
	Sent:           "sent",
	Delivered:      "delivered",
	RequestDropped: "request dropped",
	ReplyLost:      "reply lost",
	Unreachable:    "unreachable",
	ServerDead:     "server dead",
}

// String returns the kind in plain words, such as "request dropped".
func (k EventKind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "EventKind(" + strconv.Itoa(int(k)) + ")"
}

// An Event is one step in the life of a call, as seen by an observer
// registered with Network.Observe.
type Event struct {
	Kind   EventKind
	Call   int       // the call's number in its network, from 1: the same in all of its events
	End    string    // name of the client end that made the call
	Server string    // server name the end was connected to when the call was sent ("" if none)
	Method string    // the method called, such as "Raft.RequestVote"
	Args   []byte    // the arguments as encoded by labgob; shared, so do not modify
	Value  any       // the caller's arguments themselves, as Args encodes them at the Sent event (not necessarily later); do not modify
	Bytes  int       // len(Args)
	Time   time.Time // time.Now() when the event happened

	// Reply is the reply as encoded by labgob, in Delivered events only;
	// shared, so do not modify.
	Reply []byte
}
