package labtest

import (
	"reflect"

	"raftlabs/labtest/internal/probe"
)

// The cluster's face of the probes (package probe): it sends a server the
// harness's own RPCs, built in the server's own types, over the network.

// The probes' messages, under the names the scenarios use.
type (
	voteRequest     = probe.VoteRequest
	appendRequest   = probe.AppendRequest
	logEntry        = probe.LogEntry
	snapshotRequest = probe.SnapshotRequest
	probeReply      = probe.Reply
)

// answersByRPC explains why a test that sends RPCs of its own failed, if
// server rf answers RPCs with RPCs of its own; see probe.AnswersByRPC.
func answersByRPC(rf any) string { return probe.AnswersByRPC(rf) }

// ProbeFieldNames returns, for the documentation, each field the tests'
// own RPCs fill and the names accepted for it, in order.
func ProbeFieldNames() map[string][]string { return probe.FieldNames() }

// requestVote sends server i a RequestVote in its own types and returns
// its reply; ok is false if no reply came back. A reply whose term is
// behind the request's fails the test.
func (c *Cluster) requestVote(i int, req probe.VoteRequest) (reply probe.Reply, ok bool) {
	c.t.Helper()
	return c.send(i, "RequestVote", probe.VoteGrantedField, req.Term, func(h *probe.Handler) (reflect.Value, error) {
		return h.VoteArgs(req)
	})
}

// appendEntries sends server i an AppendEntries in its own types, as
// requestVote does a RequestVote.
func (c *Cluster) appendEntries(i int, req probe.AppendRequest) (reply probe.Reply, ok bool) {
	c.t.Helper()
	return c.send(i, "AppendEntries", probe.SuccessField, req.Term, func(h *probe.Handler) (reflect.Value, error) {
		return h.AppendArgs(req)
	})
}

// installSnapshot sends server i an InstallSnapshot in its own types, as
// requestVote does a RequestVote.
func (c *Cluster) installSnapshot(i int, req probe.SnapshotRequest) (reply probe.Reply, ok bool) {
	c.t.Helper()
	return c.send(i, "InstallSnapshot", probe.NoFlag, req.Term, func(h *probe.Handler) (reflect.Value, error) {
		return h.SnapshotArgs(req)
	})
}

// send sends server i a request of term to its handler called method,
// whose reply carries flag, with the arguments build makes in the
// handler's types.
func (c *Cluster) send(i int, method string, flag probe.Field, term int, build func(*probe.Handler) (reflect.Value, error)) (probe.Reply, bool) {
	c.t.Helper()
	h := c.handler(i, method, flag)
	args, err := build(h)
	if err != nil {
		c.Fatalf("%v", err)
	}
	return c.probe(i, h, args, term)
}

// handler returns server i's handler called method, failing the test if
// the server is crashed or the harness cannot understand the handler.
func (c *Cluster) handler(i int, method string, flag probe.Field) *probe.Handler {
	c.t.Helper()
	rf := c.raft(i)
	if rf == nil {
		c.Fatalf("%s: s%d is crashed", method, i)
	}
	h, err := probe.FindHandler(reflect.TypeOf(rf), method, flag)
	if err != nil {
		c.Fatalf("s%d: %v", i, err)
	}
	return h
}

// probe delivers one RPC from the harness to server i over the test's
// network and returns the reply, if one came back. term is the request's
// term: the reply carries the server's currentTerm, which is at least that.
func (c *Cluster) probe(i int, h *probe.Handler, args reflect.Value, term int) (probe.Reply, bool) {
	c.t.Helper()
	rf := c.raft(i)
	if rf == nil {
		c.Fatalf("%s: s%d is crashed", h.Method, i)
	}
	end, name := c.servers.ProbeEnd(i)
	reply, ok := h.Send(end, rf, args)
	c.net.Enable(name, false)
	c.checkBackground()
	if !ok {
		return probe.Reply{}, false
	}
	got, err := h.Judge(i, rf, reply, term)
	if err != nil {
		c.Fatalf("%v", err)
	}
	return got, true
}
