// Package explain writes the lines some verdicts add, that start "how it
// happened:", by putting together what the test's records hold apart:
// what leaders sent followers (package exchanges), what the servers showed
// each other (package revealed), the InstallSnapshots they answered
// (package installs) and what each applied (package service). Each record
// writes its own lines; explain finds which record's story fits a
// failure.
//
// # Usage
//
//	r := explain.Records{Servers: n, Exchanges: x, Revealed: v, Installs: in, Applies: a}
//	how := r.Disagreement(d)       // two servers applied different commands at an index
//	how = r.Stall(leader, index, cmd) // a command that did not reach a majority
//
// # Why this is a package of its own
//
// The explanations need several records at once and nothing else of the
// cluster, so they take the records as data, and the cluster that keeps
// them only hands them over. Any record may be nil (a test that never
// booted a cluster); an explanation that needs it is then "".
package explain
