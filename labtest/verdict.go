package labtest

import (
	"maps"
	"slices"
	"strings"

	"raftlabs/labtest/internal/stacks"
	"raftlabs/labtest/internal/testproc"
)

// A Failure is why a test failed: one check's account of what broke, the
// property and its evidence; see testproc.Failure. A service's harness
// (kvtest) returns one for the properties it checks.
type Failure = testproc.Failure

// violation returns a failure of a named property of Raft.
func violation(property, format string, args ...any) *Failure {
	return testproc.Violation(property, format, args...)
}

// failure returns a failure that is not one of the paper's named
// properties.
func failure(format string, args ...any) *Failure { return testproc.Failf(format, args...) }

// Fail ends the test as failed because of err, a check's finding: a
// *Failure from the harness's checks, or any error whose message says what
// broke in Raft terms.
func (c *Cluster) Fail(err error) {
	c.t.Helper()
	c.alive()
	c.run.Fail(c.dress(asFailure(err)))
	c.t.FailNow()
}

// Fatalf ends the test as failed. The verdict is the message, where in the
// scenario it failed, and the network's recent shapes.
func (c *Cluster) Fatalf(format string, args ...any) {
	c.t.Helper()
	c.Fail(failure(format, args...))
}

// historyFatalf fails the test with a message about leaders or terms,
// followed by the leadership history it was judged on.
func (c *Cluster) historyFatalf(format string, args ...any) {
	c.t.Helper()
	c.Fail(failure(format, args...).AboutLeaders())
}

// dress adds to f where the scenario was, what the network looked like,
// and, if f is judged on it, the leadership history.
func (c *Cluster) dress(f *Failure) *Failure {
	f.Where = stacks.ScenarioLine(slices.Collect(maps.Keys(ServiceBindings)))
	if f.JudgedOnLeadership && f.Leadership == "" {
		f.Leadership = strings.TrimRight(c.historyText(), "\n")
	}
	f.Network = c.describeNetwork()
	return f
}

// asFailure returns err as a *Failure, wrapping an error that is not one.
func asFailure(err error) *Failure { return testproc.AsFailure(err) }
