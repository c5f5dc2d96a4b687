package labtest

import "raftlabs/labtest/internal/servers"

// checkStartLeads checks a Start that answered isLeader true for term on
// server i against the server's own GetState: a server that is not the
// leader of that term must not have accepted the command. A leader that
// has since learned of a later term says so with the later term, which
// is no contradiction. It returns the failure rather than failing the
// test, as tryStart does.
func (c *Cluster) checkStartLeads(i, term int, command any) error {
	rf := c.raft(i)
	if rf == nil {
		return nil
	}
	var now int
	var leads bool
	if err := servers.Call(i, "GetState", func() { now, leads = rf.GetState() }); err != nil {
		return err
	}
	if now == term && !leads {
		return failure("Start(%s) on s%d answered isLeader true for term %d, but s%d's GetState says it is not the "+
			"leader of term %d: only the leader appends a command to its log (Figure 2, Leaders: \"If command "+
			"received from client: append entry to local log\"); Start on any other server appends nothing and "+
			"answers isLeader false", commandText(command), i, term, i, term)
	}
	return nil
}
