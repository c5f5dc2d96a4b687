package labtest

import (
	"errors"
	"fmt"
	"strings"

	"raftlabs/labtest/internal/testproc"
)

// violation returns a failure of a named property of Raft.
func violation(property, format string, args ...any) *Failure {
	return testproc.Violation(property, format, args...)
}

// failure returns a failure that is not one of the paper's named
// properties.
func failure(format string, args ...any) *Failure {
	return &Failure{Evidence: fmt.Sprintf(format, args...)}
}

// asFailure returns err as a *Failure, wrapping an error that is not one.
func asFailure(err error) *Failure {
	var f *Failure
	if errors.As(err, &f) {
		copied := *f
		return &copied
	}
	return &Failure{Evidence: err.Error()}
}

// Fail ends the test as failed because of err, a check's finding: a
// *Failure from the harness's checks, or any error whose message says what
// broke in Raft terms.
func (c *Cluster) Fail(err error) {
	c.t.Helper()
	c.alive()
	c.run.fail(c.dress(asFailure(err)))
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
	f.Where = scenarioLine()
	if f.JudgedOnLeadership && f.Leadership == "" {
		f.Leadership = strings.TrimRight(c.historyText(), "\n")
	}
	f.Network = c.describeNetwork()
	return f
}

// maxVerdict bounds a verdict's size. A verdict this long is already
// unreadable; the bound keeps the report to the grader small whatever the
// code under test does (a Raft that starts goroutines without end, or
// terms by the thousand).
const maxVerdict = 64 << 10

// capVerdict cuts text to maxVerdict, keeping its start, where the cause
// is, and saying how much was cut.
func capVerdict(text string) string {
	if len(text) <= maxVerdict {
		return text
	}
	cut := strings.LastIndexByte(text[:maxVerdict], '\n')
	if cut < 0 {
		cut = maxVerdict
	}
	return fmt.Sprintf("%s\n(%d more bytes of this verdict cut)", text[:cut], len(text)-cut)
}
