package labtest

import (
	"fmt"
	"strings"
	"time"
)

// The network's shape: who can talk to whom. Every change is remembered
// with its time, and failures show the latest ones.

// Disconnect cuts servers off from everyone.
func (c *Cluster) Disconnect(servers ...int) {
	c.mu.Lock()
	for _, i := range servers {
		c.connected[i] = false
	}
	c.mu.Unlock()
	c.relink()
}

// Connect reconnects servers to every other connected server in the same
// partition group (after Partition) or to all connected servers.
func (c *Cluster) Connect(servers ...int) {
	c.mu.Lock()
	for _, i := range servers {
		c.connected[i] = true
	}
	c.mu.Unlock()
	c.relink()
}

// Partition splits the servers into groups that can talk only among
// themselves. Servers in no group are disconnected.
func (c *Cluster) Partition(groups ...[]int) {
	c.mu.Lock()
	for i := range c.n {
		c.connected[i] = false
	}
	for g, members := range groups {
		for _, i := range members {
			c.connected[i] = true
			c.group[i] = g
		}
	}
	c.mu.Unlock()
	c.relink()
}

// Heal joins every server into one group, all connected.
func (c *Cluster) Heal() {
	c.mu.Lock()
	for i := range c.n {
		c.connected[i] = true
		c.group[i] = 0
	}
	c.mu.Unlock()
	c.relink()
}

// IsConnected reports whether server i is running and connected.
func (c *Cluster) IsConnected(i int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.connected[i] && c.rafts[i] != nil
}

// relink enables exactly the ends between connected servers of one group,
// and records the network's new shape.
func (c *Cluster) relink() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := range c.n {
		for j := range c.n {
			if c.endNames[i] == nil {
				continue
			}
			// A crashed server's ends stay off, whatever Connect or
			// Partition said: its dead instance must reach no one.
			on := c.connected[i] && c.connected[j] && c.group[i] == c.group[j] && c.rafts[i] != nil
			c.net.Enable(c.endNames[i][j], on)
		}
	}
	shape, groups := c.describeNetworkLocked()
	if k := len(c.netHistory); k > 0 && strings.HasSuffix(c.netHistory[k-1], ": "+shape) {
		return
	}
	c.run.Tracer().Network(shape, groups)
	c.netHistory = append(c.netHistory, fmt.Sprintf("%s: %s", seconds(time.Since(c.start)), shape))
}

// networkShown is how many of the network's latest shapes a failure shows.
const networkShown = 4

// describeNetwork shows the network's latest shapes, newest last, e.g.
// "0.00s: {s0 s1 s2}; 2.51s: {s1 s2} | s0 cut off".
func (c *Cluster) describeNetwork() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	shapes := c.netHistory
	prefix := ""
	if len(shapes) > networkShown {
		prefix = fmt.Sprintf("(%d earlier changes) ", len(shapes)-networkShown)
		shapes = shapes[len(shapes)-networkShown:]
	}
	return prefix + strings.Join(shapes, "; ")
}

// describeNetworkLocked shows who can talk to whom now: the groups of
// connected servers, then the servers cut off and the crashed ones, e.g.
// "{s0 s1} | s2 cut off | s3 crashed"; and the groups, for the trace.
func (c *Cluster) describeNetworkLocked() (shape string, groups [][]string) {
	members := map[int][]string{}
	var order []int
	var off []string
	for i := range c.n {
		name := serverName(i)
		switch {
		case c.rafts[i] == nil && c.generation[i] > 0 && c.endNames[i] != nil:
			off = append(off, name+" crashed")
		case !c.connected[i]:
			off = append(off, name+" cut off")
		default:
			if _, seen := members[c.group[i]]; !seen {
				order = append(order, c.group[i])
			}
			members[c.group[i]] = append(members[c.group[i]], name)
		}
	}
	var parts []string
	for _, g := range order {
		parts = append(parts, "{"+strings.Join(members[g], " ")+"}")
		groups = append(groups, members[g])
	}
	return strings.Join(append(parts, off...), " | "), groups
}
