package labtest

import (
	"reflect"

	"raftlabs/labrpc"
	"raftlabs/labtest/internal/probe"
	"raftlabs/labtest/internal/puppets"
)

// The cluster's face of the puppets (package puppets): it crashes servers
// and puts puppets in their place on the test's network.

// The puppets, under the names the scenarios use.
type (
	puppet         = puppets.Puppet
	followerPuppet = puppets.Follower
)

// holdNextVote makes each puppet hold its vote in the first election after
// term; see puppets.HoldNextVote.
func holdNextVote(ps []*puppet, term int) { puppets.HoldNextVote(ps, term) }

// releaseVotes sends every held reply; see puppets.ReleaseVotes.
func releaseVotes(ps []*puppet) { puppets.ReleaseVotes(ps) }

// puppets crashes the given servers and puts a puppet in the place of each,
// reachable from server to only. term is the term the puppets claim: any
// message from an older term is refused with it.
func (c *Cluster) puppets(to, term int, servers ...int) []*puppets.Puppet {
	c.t.Helper()
	return c.puppetsServing(to, term, puppetService, servers...)
}

// puppetService is what a puppet serves by default: itself, in the server's
// signedness of terms.
func puppetService(p *puppets.Puppet, unsigned bool) any { return p.Service(unsigned) }

// puppetsServing is puppets, each puppet answering through the receiver
// serve returns for it (a puppet that plays more of a server's part).
func (c *Cluster) puppetsServing(to, term int, serve func(p *puppets.Puppet, unsigned bool) any, servers ...int) []*puppets.Puppet {
	c.t.Helper()
	rf := c.raft(to)
	if rf == nil {
		c.Fatalf("puppets: s%d is crashed", to)
	}
	service := reflect.TypeOf(rf).Elem().Name()
	unsigned := c.unsignedTerms(to)
	for _, i := range servers {
		c.Crash(i) // each crash relinks the network, so all go first
	}
	var ps []*puppets.Puppet
	for _, i := range servers {
		p := puppets.New(i, term)
		c.servers.StandIn(i, to, labrpc.NewNamedService(service, serve(p, unsigned)))
		ps = append(ps, p)
	}
	return ps
}

// followerPuppets is puppets whose puppets play followers holding the
// leader's log.
func (c *Cluster) followerPuppets(to, term int, servers ...int) []*puppets.Follower {
	c.t.Helper()
	var fs []*puppets.Follower
	c.puppetsServing(to, term, func(p *puppets.Puppet, unsigned bool) any {
		f := puppets.NewFollower(p)
		fs = append(fs, f)
		return f.Service(unsigned)
	}, servers...)
	return fs
}

// unsignedTerms reports whether server i's RequestVote carries its term in
// an unsigned integer; see probe.UnsignedTerms.
func (c *Cluster) unsignedTerms(i int) bool {
	c.t.Helper()
	return c.handler(i, "RequestVote", probe.VoteGrantedField).UnsignedTerms()
}
