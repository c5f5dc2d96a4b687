package labtest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestEveryTestHasAReferenceCost keeps cost_reference.go in step with the
// suite: a test without a recorded cost would never be compared.
func TestEveryTestHasAReferenceCost(t *testing.T) {
	for _, test := range Suite {
		_, ok := ReferenceCost(test.Name())
		assert.True(t, ok, "%s has no recorded reference cost: run go run ./cmd/labgen -costs", test.Name())
	}
	for name := range referenceCosts {
		found := false
		for _, test := range Suite {
			found = found || test.Name() == name
		}
		assert.True(t, found, "cost_reference.go records %s, which the suite no longer has: run go run ./cmd/labgen -costs", name)
	}
}

func TestCostNote(t *testing.T) {
	ref := Cost{RPCs: 180, Bytes: 8_200_000, Virtual: 6 * time.Second}
	assert.Equal(t, "", CostNote(ref, ref), "the reference's own cost")
	assert.Equal(t, "", CostNote(Cost{RPCs: 359, Bytes: 16_000_000, Virtual: 11 * time.Second}, ref), "just under twice")

	got := Cost{RPCs: 414, Bytes: 88_000_000, Virtual: 16 * time.Second}
	assert.Equal(t, "2.3× the reference's RPCs (414 against 180); "+
		"10.7× the reference's bytes (88000000 against 8200000); "+
		"2.7× the reference's time on the test's clock (16.00s against 6.00s)", CostNote(got, ref))

	small := Cost{RPCs: 8, Bytes: 1261, Virtual: 500 * time.Millisecond}
	assert.Equal(t, "", CostNote(Cost{RPCs: 30, Bytes: 5000, Virtual: 2 * time.Second}, small),
		"a few RPCs, bytes or seconds more are not worth a note, whatever the factor")
	assert.Equal(t, "", CostNote(Cost{RPCs: 400}, Cost{}), "no recorded cost, no note")
}

func TestCostLines(t *testing.T) {
	name := Suite[0].Name()
	ref, _ := ReferenceCost(name)
	res := Result{Test: name, Passed: true, RPCs: ref.RPCs, Bytes: ref.Bytes, Virtual: ref.Virtual}
	assert.Empty(t, costLines(&res, false), "a run like the reference's prints nothing without -v")
	assert.Equal(t, []string{"  reference: " + ref.String()}, costLines(&res, true), "with -v, the reference's cost")

	res.RPCs = 10*ref.RPCs + 100
	lines := costLines(&res, false)
	if assert.Len(t, lines, 1) {
		assert.Contains(t, lines[0], "  note: ")
		assert.Contains(t, lines[0], "the reference's RPCs")
		assert.Contains(t, lines[0], "costs no points")
	}
	assert.Empty(t, costLines(&Result{Test: "TestNoSuchTestLab9", RPCs: 1 << 20}, true), "a test with no recorded cost")
	res.Passed = false
	assert.Empty(t, costLines(&res, false), "no note on a failed run: its cost says more about its failure")
}
