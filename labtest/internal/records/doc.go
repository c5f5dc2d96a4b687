// Package records reads the records of one test together, where a verdict
// needs more than one: the first problem any of them found in the
// background, outside the scenario's own checks (Problem: the service's
// rules of applying, the terms and votes the servers showed, earned
// leadership, the codec and the network); and the lines some verdicts add,
// that start "how it happened:", put together from what leaders sent
// followers (package exchanges), what the servers showed each other
// (package revealed), the InstallSnapshots they answered (package
// installs) and what each applied (package service). Each record writes
// its own lines; records finds which record's story fits a failure.
//
// # Usage
//
//	r := records.Records{Servers: n, Exchanges: x, Revealed: v, Installs: in, Applies: a, History: h}
//	err := r.Problem()                // the first background problem, explained
//	how := r.Stall(leader, index, cmd) // a command that did not reach a majority
//
// # Why this is a package of its own
//
// Reading the records together needs the records and nothing else of the
// cluster, so they come as data, and the cluster that keeps them only
// hands them over. Any record may be nil (a test that never booted a
// cluster); what needs it then finds nothing.
package records
