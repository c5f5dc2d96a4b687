package labtest

import (
	"errors"
	"fmt"
	"strings"
)

// A Failure is why a test failed: one check's account of what broke. The
// checks that judge the servers (checks.go) are plain functions that return
// a *Failure as their error; the cluster adds where the scenario was and
// what the network and the leaders did, and the harness reports the first
// Failure of a test in its Result beside the verdict text.
type Failure struct {
	// Property is the rule of Raft that broke, in the paper's words, such as
	// "election safety" or "state machine safety"; empty when the failure
	// is not one of the paper's named properties (a command not applied in
	// time, a Start that blocked).
	Property string `json:"property,omitempty"`
	// Evidence is what the servers' history shows, in Raft terms: which
	// server, which term, which index. Its first line is the headline; any
	// lines after it are details.
	Evidence string `json:"evidence"`
	// Where is the scenario's line that ran the failed check, such as
	// "lab2.go:406".
	Where string `json:"where,omitempty"`
	// Leadership is the history of who led which term and when, for
	// failures about leaders and terms.
	Leadership string `json:"leadership,omitempty"`
	// Network is the network's recent shapes, newest last.
	Network string `json:"network,omitempty"`

	// judgedOnLeadership asks the cluster to attach the leadership history.
	judgedOnLeadership bool
}

// Error returns the property and the evidence, without the context the
// cluster adds.
func (f *Failure) Error() string {
	if f.Property == "" {
		return f.Evidence
	}
	return f.Property + ": " + f.Evidence
}

// String returns the verdict as a student reads it: where, the property and
// the evidence, then the leadership history, every line after the first
// indented under it, then the network's shapes.
func (f *Failure) String() string {
	var b strings.Builder
	if f.Where != "" {
		b.WriteString(f.Where + ": ")
	}
	text := f.Error()
	if f.Leadership != "" {
		// The history's own lines go under its heading.
		text = strings.TrimRight(text, "\n") + "\n" +
			strings.ReplaceAll(strings.TrimRight(f.Leadership, "\n"), "\n ", "\n   ")
	}
	for k, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		if k > 0 {
			b.WriteString("\n")
			if !strings.HasPrefix(line, " ") {
				b.WriteString("  ")
			}
		}
		b.WriteString(line)
	}
	if f.Network != "" {
		fmt.Fprintf(&b, "\n  network: %s", f.Network)
	}
	return b.String()
}

// violation returns a failure of a named property of Raft.
func violation(property, format string, args ...any) *Failure {
	return &Failure{Property: property, Evidence: fmt.Sprintf(format, args...)}
}

// failure returns a failure that is not one of the paper's named
// properties.
func failure(format string, args ...any) *Failure {
	return &Failure{Evidence: fmt.Sprintf(format, args...)}
}

// aboutLeaders marks f as judged on who led when, so that the verdict shows
// the leadership history.
func (f *Failure) aboutLeaders() *Failure {
	f.judgedOnLeadership = true
	return f
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
	c.Fail(failure(format, args...).aboutLeaders())
}

// dress adds to f where the scenario was, what the network looked like,
// and, if f is judged on it, the leadership history.
func (c *Cluster) dress(f *Failure) *Failure {
	f.Where = scenarioLine()
	if f.judgedOnLeadership && f.Leadership == "" {
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
