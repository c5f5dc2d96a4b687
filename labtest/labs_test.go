package labtest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTestNames(t *testing.T) {
	test := Test{Lab: 1, Scenario: ReElection}
	assert.Equal(t, "ReElection", test.ScenarioName())
	assert.Equal(t, "TestReElectionLab1", test.Name())
}

func TestPointsSumTo100PerLab(t *testing.T) {
	sums := map[int]int{}
	for _, test := range Suite {
		sums[test.Lab] += test.Points
	}
	for _, lab := range Labs {
		assert.Equal(t, 100, sums[lab.Number], "lab %d's tests", lab.Number)
	}
}

// TestProbeWeight checks the promise to a Raft the tests' own RPCs cannot
// reach (one that answers with RPCs of its own): it loses at most 10 of a
// lab's 100 points, counting the earlier labs' tests that run there too.
func TestProbeWeight(t *testing.T) {
	for _, lab := range Labs {
		probes := 0
		for _, test := range TestsUpTo(lab.Number) {
			if test.Probe {
				probes += test.Points
			}
		}
		assert.LessOrEqual(t, probes, 10, "lab %d's tests that send RPCs of their own", lab.Number)
	}
}

func TestFindLabAcceptsEveryName(t *testing.T) {
	lab1, lab2 := Labs[0], Labs[1]
	for arg, want := range map[string]Lab{
		"lab1": lab1, "1": lab1, "lab1-election": lab1, "./lab1-election/": lab1, "Lab1": lab1,
		"lab2": lab2, "2": lab2, "lab2-replication": lab2, "lab2-replication/": lab2,
	} {
		got, err := FindLab(arg)
		require.NoError(t, err, arg)
		assert.Equal(t, want, got, arg)
	}
	for _, arg := range []string{"lab9", "0", "election", "lab1-replication", ""} {
		_, err := FindLab(arg)
		assert.ErrorContains(t, err, "unknown lab", arg)
	}
}
