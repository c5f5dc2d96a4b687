package labtest

import (
	"fmt"
	"reflect"
)

// The harness can send a server RPCs of its own, as if from another server,
// to check a handler's rules directly where a scenario alone cannot reach
// them (a message that arrives late, say). The messages use Figure 2's
// field names; where students commonly spell a name two ways, both are
// sent, and the server's type picks the one it has. Fields the server's
// type lacks are dropped by gob, which at worst turns a probe into a
// harmless stale message.

// voteRequest is Figure 2's RequestVote arguments.
type voteRequest struct {
	Term         int
	CandidateId  int // the spelling many students use
	CandidateID  int
	LastLogIndex int
	LastLogTerm  int
}

// voteReply is Figure 2's RequestVote results.
type voteReply struct {
	Term        int
	VoteGranted bool
}

// appendRequest is Figure 2's AppendEntries arguments.
type appendRequest struct {
	Term         int
	LeaderId     int // the spelling many students use
	LeaderID     int
	PrevLogIndex int
	PrevLogTerm  int
	Entries      []logEntry
	LeaderCommit int
}

// logEntry is a log entry as Figure 2 describes it.
type logEntry struct {
	Term    int
	Command any
}

// appendReply is Figure 2's AppendEntries results.
type appendReply struct {
	Term    int
	Success bool
}

// send delivers one RPC from the harness to server i over the test's
// network, and reports whether a reply came back. The server must have a
// handler with the given name: the tests rely on Figure 2's RPC names.
func (c *Cluster) send(i int, method string, args, reply any) bool {
	c.t.Helper()
	rf := c.raft(i)
	if rf == nil {
		c.Fatalf("%s: s%d is crashed", method, i)
	}
	if !reflect.ValueOf(rf).MethodByName(method).IsValid() {
		c.Fatalf("s%d has no method %s: the tests send some RPCs of their own, named as in Figure 2, "+
			"so keep the handler's name %s", i, method, method)
	}
	c.mu.Lock()
	c.probes++
	name := fmt.Sprintf("harness->s%d#%d", i, c.probes)
	c.mu.Unlock()
	end := c.net.NewEnd(name)
	c.net.Connect(name, serverName(i))
	c.net.Enable(name, true)
	// labrpc names a service after its receiver's type: "Raft" in the labs.
	service := reflect.TypeOf(rf).Elem().Name()
	ok := end.Call(service+"."+method, args, reply)
	c.net.Enable(name, false)
	c.checkBackground()
	return ok
}
