package labtest

// An Option changes how a cluster is booted: c.Boot(5, Unreliable).
type Option struct {
	name  string
	apply func(c *Cluster)
}

// String returns the option's name, as the trace and failures show it.
func (o Option) String() string { return o.name }

// Unreliable makes the network delay requests by up to 27ms and drop about
// a tenth of requests and a tenth of replies.
var Unreliable = Option{"unreliable network", func(c *Cluster) { c.net.SetReliable(false) }}

// LongReordering delays about two thirds of replies by 200ms to 2.2s, so
// replies arrive long after later ones.
var LongReordering = Option{"long reordering", func(c *Cluster) { c.net.SetLongReordering(true) }}
