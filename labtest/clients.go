package labtest

import (
	"fmt"
	"runtime/debug"
	"time"

	"raftlabs/labtest/internal/clients"
)

// An ack is one command a client saw committed; see clients.Ack.
type ack = clients.Ack

// checkAcknowledged checks that every acknowledged command is at its index
// on every one of n servers; see clients.CheckAcknowledged.
func checkAcknowledged(acks []ack, n int, applied func(i, index int) (any, bool)) error {
	return clients.CheckAcknowledged(acks, n, applied)
}

// startClients starts n clients that submit commands while the scenario
// crashes and cuts off servers (package clients).
func (c *Cluster) startClients(n int) *clients.Clients { return clients.Start(n, clientView{c}) }

// clientView is what the clients (package clients) see of the cluster.
type clientView struct{ c *Cluster }

func (v clientView) N() int                         { return v.c.n }
func (v clientView) Now() time.Duration             { return v.c.Now() }
func (v clientView) RandomCommand() int             { return v.c.randomCommand() }
func (v clientView) AppliedAt(index int) (int, any) { return v.c.applies.Committed(index) }

// StartCommand calls Start on server i, if it is running, turning a panic
// into an error that names the server.
func (v clientView) StartCommand(i, cmd int) (index int, isLeader bool, err error) {
	rf := v.c.raft(i)
	if rf == nil {
		return 0, false, nil
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("s%d: Start panicked: %v\n%s", i, p, debug.Stack())
		}
	}()
	v.c.receipts.Starting(i, cmd)
	index, _, isLeader = rf.Start(cmd)
	v.c.receipts.Started(i, cmd, index, isLeader)
	return index, isLeader, nil
}
