package probe

import (
	"fmt"
	"reflect"

	"raftlabs/labrpc"
)

// Send delivers args, a request built for h, to server rf's handler
// through end, and returns the reply, if one came back. labrpc names a
// service after its receiver's type: "Raft" in the labs.
func (h *Handler) Send(end *labrpc.ClientEnd, rf any, args reflect.Value) (reply reflect.Value, ok bool) {
	service := reflect.TypeOf(rf).Elem().Name()
	reply = reflect.New(h.ReplyType)
	if !h.ArgsByPtr {
		args = args.Elem()
	}
	return reply, end.Call(service+"."+h.Method, args.Interface(), reply.Interface())
}

// Judge reads reply, server i's (rf's) reply to a request of term, and
// checks it: a handler that left its reply empty because rf answers with
// RPCs of its own (AnswersByRPC), or a reply whose term is behind the
// request's, is the error. A reply carries the server's currentTerm,
// which is at least the request's term once it has seen it.
func (h *Handler) Judge(i int, rf any, reply reflect.Value, term int) (Reply, error) {
	got := h.Read(reply)
	if reply.Elem().IsZero() {
		if why := AnswersByRPC(rf); why != "" {
			return got, fmt.Errorf("s%d's %s handler left its reply empty, and %s", i, h.Method, why)
		}
	}
	if got.Term < term {
		outcome := ""
		if h.FlagName != "" {
			outcome = fmt.Sprintf(" (and %s %v)", h.FlagName, got.OK)
		}
		return got, fmt.Errorf("s%d's reply to %s in term %d carried term %d%s: a reply carries the receiver's currentTerm, "+
			"which is at least the request's term once it has been seen (Figure 2, Rules for All Servers: "+
			"\"If RPC request or response contains term T > currentTerm: set currentTerm = T\")",
			i, h.Method, term, got.Term, outcome)
	}
	return got, nil
}

// UnsignedTerms reports whether the handler's request carries its term in
// an unsigned integer. gob carries a signed integer only into a signed
// field and an unsigned one only into an unsigned field, so a puppet
// talking to such a server must use unsigned terms too.
func (h *Handler) UnsignedTerms() bool {
	term, err := Lookup(h.Args, TermField, h.Method+"'s argument type")
	if err != nil {
		return false
	}
	switch term.Type.Kind() {
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return true
	}
	return false
}
