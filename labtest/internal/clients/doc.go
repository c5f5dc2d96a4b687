// Package clients plays a service's clients while a scenario crashes and
// cuts off servers: goroutines that each submit commands to whichever
// servers will take them and record every command they saw applied at the
// index Start gave them, the commands acknowledged to a client, which
// Raft must never lose. CheckAcknowledged judges, at the end, that every
// one of them is still there.
//
// # Usage
//
//	cl := clients.Start(4, servers) // servers implements clients.Cluster
//	time.Sleep(10 * time.Second)    // crash and cut off servers meanwhile
//	acks, err := cl.Stop()
//	err = clients.CheckAcknowledged(acks, n, applied)
//
// # Why this is a package of its own
//
// A client needs of the cluster only a way to start a command on a server
// and to ask what was applied at an index, so it takes them through
// Cluster, an interface declared here, and never imports the harness.
package clients
