package labtest

import (
	"raftlabs/labtest/internal/checks"
	"raftlabs/labtest/internal/servers"
)

// checkStartLeads checks a Start that answered isLeader true for term on
// server i against the server's own GetState (checks.StartLeads). It
// returns the failure rather than failing the test, as tryStart does.
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
	return checks.StartLeads(i, term, command, now, leads)
}
