// Package agreement polls a cluster until its servers agree on a command,
// and judges when they do not: how Agree submits a command to whichever
// server leads and resubmits it when a change of leader loses it, how
// WaitCommitted waits for enough servers to apply an index, and the
// verdicts when either gives up, with the leader's exchanges that say why
// the command did not spread.
//
// # Usage
//
//	index, err := agreement.Agree(c, cmd, 3, true) // c implements agreement.Cluster
//	command, err := agreement.WaitCommitted(c, index, 3, -1)
//
// # Why this is a package of its own
//
// The polling needs of the cluster only its faces (Start, GetState,
// Committed, Sleep) and a few facts for the verdicts, so it takes them
// through Cluster, an interface declared here, and never imports the
// harness. A failing call of the cluster's own (a Start that panicked)
// ends the test from inside the poll, as it would from a scenario.
package agreement
