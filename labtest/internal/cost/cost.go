package cost

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"raftlabs/labtest/internal/testproc"
)

// Reference returns the reference solution's cost in the test named
// test, the mean of the runs recorded in referenceCosts (reference.go,
// written by go run ./cmd/labgen -costs), and whether one is recorded.
func Reference(test string) (testproc.Cost, bool) {
	c, ok := referenceCosts[test]
	return c, ok
}

// Recorded returns the names of the tests whose cost is recorded, sorted.
func Recorded() []string {
	return slices.Sorted(maps.Keys(referenceCosts))
}

// Factor is how many times the reference's cost a run must take, in
// RPCs, bytes or the test's clock, before Note remarks on it.
const Factor = 2

// Below these, a difference is too small to remark on, however large the
// factor: a test that sends 7 RPCs may well send 15 in a correct Raft.
const (
	slackRPCs    = 50
	slackBytes   = 50_000
	slackVirtual = 2 * time.Second
)

// Note says how a run's cost compares with the reference's when it is
// Factor times as much or more in RPCs, bytes or the test's clock (and
// more than a little), e.g. "2.3× the reference's RPCs (412 against 180)";
// "" otherwise. It costs no points: a Raft may be slower than the
// reference and correct.
func Note(got, ref testproc.Cost) string {
	var parts []string
	if ref.RPCs > 0 && got.RPCs >= Factor*ref.RPCs && got.RPCs-ref.RPCs > slackRPCs {
		parts = append(parts, fmt.Sprintf("%.1f× the reference's RPCs (%d against %d)",
			float64(got.RPCs)/float64(ref.RPCs), got.RPCs, ref.RPCs))
	}
	if ref.Bytes > 0 && got.Bytes >= Factor*ref.Bytes && got.Bytes-ref.Bytes > slackBytes {
		parts = append(parts, fmt.Sprintf("%.1f× the reference's bytes (%d against %d)",
			float64(got.Bytes)/float64(ref.Bytes), got.Bytes, ref.Bytes))
	}
	if ref.Virtual > 0 && got.Virtual >= Factor*ref.Virtual && got.Virtual-ref.Virtual > slackVirtual {
		parts = append(parts, fmt.Sprintf("%.1f× the reference's time on the test's clock (%.2fs against %.2fs)",
			got.Virtual.Seconds()/ref.Virtual.Seconds(), got.Virtual.Seconds(), ref.Virtual.Seconds()))
	}
	return strings.Join(parts, "; ")
}

// Lines are what a test prints about its cost under its summary line:
// with -v the reference's cost beside it, and always a note when the run
// passed and took Factor times the reference's or more.
func Lines(res *testproc.Result, verbose bool) []string {
	ref, ok := Reference(res.Test)
	if !ok {
		return nil
	}
	var lines []string
	if verbose {
		lines = append(lines, "  reference: "+ref.String())
	}
	if !res.Passed {
		return lines // a failed run's cost says more about its failure
	}
	if note := Note(res.Cost(), ref); note != "" {
		lines = append(lines, "  note: "+note+" (costs no points; docs/debugging.md, \"What your Raft costs\")")
	}
	return lines
}
