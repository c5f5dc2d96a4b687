package labtest

import "raftlabs/labtest/internal/servers"

// The network's shape: who can talk to whom (package servers keeps it).
// Every change is remembered with its time, and failures show the latest
// ones.

// Disconnect cuts servers off from everyone.
func (c *Cluster) Disconnect(servers ...int) { c.servers.Disconnect(servers...) }

// Connect reconnects servers to every other connected server in the same
// partition group (after Partition) or to all connected servers.
func (c *Cluster) Connect(servers ...int) { c.servers.Connect(servers...) }

// Partition splits the servers into groups that can talk only among
// themselves. Servers in no group are disconnected.
func (c *Cluster) Partition(groups ...[]int) { c.servers.Partition(groups...) }

// Heal joins every server into one group, all connected.
func (c *Cluster) Heal() { c.servers.Heal() }

// IsConnected reports whether server i is running and connected.
func (c *Cluster) IsConnected(i int) bool { return c.servers.IsConnected(i) }

// describeNetwork shows the network's latest shapes, newest last, e.g.
// "0.00s: {s0 s1 s2}; 2.51s: {s1 s2} | s0 cut off". It may be called from
// outside the test's bubble.
func (c *Cluster) describeNetwork() string { return c.serversNow().Describe() }

// serversNow returns the cluster's servers, nil before Boot, for a
// goroutine other than the test's.
func (c *Cluster) serversNow() *servers.Servers {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.servers
}
