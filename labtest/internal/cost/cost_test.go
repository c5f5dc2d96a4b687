package cost

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"raftlabs/labtest/internal/testproc"
)

func TestCostNote(t *testing.T) {
	ref := testproc.Cost{RPCs: 180, Bytes: 8_200_000, Virtual: 6 * time.Second}
	assert.Equal(t, "", Note(ref, ref), "the reference's own cost")
	assert.Equal(t, "", Note(testproc.Cost{RPCs: 359, Bytes: 16_000_000, Virtual: 11 * time.Second}, ref), "just under twice")

	got := testproc.Cost{RPCs: 414, Bytes: 88_000_000, Virtual: 16 * time.Second}
	assert.Equal(t, "2.3× the reference's RPCs (414 against 180); "+
		"10.7× the reference's bytes (88000000 against 8200000); "+
		"2.7× the reference's time on the test's clock (16.00s against 6.00s)", Note(got, ref))

	small := testproc.Cost{RPCs: 8, Bytes: 1261, Virtual: 500 * time.Millisecond}
	assert.Equal(t, "", Note(testproc.Cost{RPCs: 30, Bytes: 5000, Virtual: 2 * time.Second}, small),
		"a few RPCs, bytes or seconds more are not worth a note, whatever the factor")
	assert.Equal(t, "", Note(testproc.Cost{RPCs: 400}, testproc.Cost{}), "no recorded cost, no note")
}

func TestCostLines(t *testing.T) {
	name := Recorded()[0]
	ref, _ := Reference(name)
	res := testproc.Result{Test: name, Passed: true, RPCs: ref.RPCs, Bytes: ref.Bytes, Virtual: ref.Virtual}
	assert.Empty(t, Lines(&res, false), "a run like the reference's prints nothing without -v")
	assert.Equal(t, []string{"  reference: " + ref.String()}, Lines(&res, true), "with -v, the reference's cost")

	res.RPCs = 10*ref.RPCs + 100
	lines := Lines(&res, false)
	if assert.Len(t, lines, 1) {
		assert.Contains(t, lines[0], "  note: ")
		assert.Contains(t, lines[0], "the reference's RPCs")
		assert.Contains(t, lines[0], "costs no points")
	}
	assert.Empty(t, Lines(&testproc.Result{Test: "TestNoSuchTestLab9", RPCs: 1 << 20}, true), "a test with no recorded cost")
	res.Passed = false
	assert.Empty(t, Lines(&res, false), "no note on a failed run: its cost says more about its failure")
}
