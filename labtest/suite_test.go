package labtest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEachLabSumsToItsPoints keeps labtest.Suite's points summing to each
// lab's stated total, so a reweighting that forgets a test fails the
// course's self-test.
func TestEachLabSumsToItsPoints(t *testing.T) {
	require.NoError(t, CheckPoints())
}

// TestAReweightingThatDoesNotSumIsNamed changes a test's points as an
// instructor might, and checks that CheckPoints names the lab and both
// numbers; a test worth 0 points is dropped from the suite.
func TestAReweightingThatDoesNotSumIsNamed(t *testing.T) {
	saved := Suite
	t.Cleanup(func() { Suite = saved })
	Suite = append([]Test(nil), saved...)
	Suite[0].Points += 5
	err := CheckPoints()
	require.Error(t, err)
	assert.Equal(t, "lab1's tests are worth 105 points in all, but the lab is out of 100: change the tests' "+
		"points in labtest/suite.go (or the lab's Points in labtest/labs.go) so that they agree, then run go run ./cmd/labgen",
		err.Error())

	dropped := graded([]Test{{Lab: 1, Scenario: InitialElection, Points: 10}, {Lab: 1, Scenario: ReElection, Points: 0}})
	require.Len(t, dropped, 1)
	assert.Equal(t, "TestInitialElectionLab1", dropped[0].Name())
}
