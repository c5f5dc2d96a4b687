package testproc

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

	// JudgedOnLeadership asks the cluster to attach the leadership
	// history; it is not part of the report.
	JudgedOnLeadership bool `json:"-"`
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

// AboutLeaders marks f as judged on who led when, so that the verdict shows
// the leadership history.
func (f *Failure) AboutLeaders() *Failure {
	f.JudgedOnLeadership = true
	return f
}

// Violation returns a failure of a named property of Raft.
func Violation(property, format string, args ...any) *Failure {
	return &Failure{Property: property, Evidence: fmt.Sprintf(format, args...)}
}

// AsFailure returns err as a *Failure, wrapping an error that is not one.
func AsFailure(err error) *Failure {
	var f *Failure
	if errors.As(err, &f) {
		copied := *f
		return &copied
	}
	return &Failure{Evidence: err.Error()}
}

// Failf returns a failure that is not one of the paper's named
// properties, its evidence formatted as fmt.Sprintf does.
func Failf(format string, args ...any) *Failure {
	return &Failure{Evidence: fmt.Sprintf(format, args...)}
}
