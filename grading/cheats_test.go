package grading

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"raftlabs/labtest"
)

// cheatsDir holds the cheating Rafts: one folder per cheat, each with a
// raft.go that is a complete Raft but for one way of sharing state between
// the servers of a test's process, or of keeping it across a crash, where
// Raft says a message or the Persister must carry it (issue 22).
const cheatsDir = "labtest/testdata/cheats"

// cheats lists every folder of cheatsDir: the lab whose grade the cheat
// targets, and the words every verdict that fails it must say (the check
// that caught it, by name).
var cheats = []struct {
	dir  string
	lab  int
	want []string
}{
	{dir: "no-elections", lab: 1, want: []string{"election by majority: ", "with votes from only", "RequestVote replies that grant it"}},
	{dir: "log-by-reference", lab: 2, want: replicationWords},
	{dir: "shared-slice", lab: 2, want: replicationWords},
	// In lab 4's InstallKeepsFollowing (5 points) the test itself sends
	// the snapshot, with its bytes, which the cheat then uses: there, the
	// cheat is the reference Raft and earns what the reference earns.
	{dir: "snapshot-by-table", lab: 4, want: []string{"snapshot replication: ",
		"those bytes never reached it", "no InstallSnapshot sent to it carried them"}},
	{dir: "state-in-package", lab: 3, want: []string{"persistent state: ", "a variable that outlives Kill was not persisted"}},
}

// replicationWords are what the verdict says of a command applied that
// never reached its server.
var replicationWords = []string{"log replication: ", "it never received that command at that index",
	"no AppendEntries sent to it carried it there"}

// maxCheatScore is the most a cheat may score in the lab it targets, over
// cheatRuns runs of each test (issue 22).
const (
	maxCheatScore = 15
	cheatRuns     = 3
)

// TestCheatingRaftsTableListsEveryFolder keeps the table above and the
// folders in step: a cheat folder without a row would never be graded.
func TestCheatingRaftsTableListsEveryFolder(t *testing.T) {
	var rows []string
	for _, c := range cheats {
		rows = append(rows, c.dir)
	}
	assert.ElementsMatch(t, raftFolders(t, cheatsDir), rows, "the folders of %s and the rows of the cheats table in grading/cheats_test.go", cheatsDir)
}

// TestCheatingRaftsScoreNothing grades every cheating Raft in the lab it
// targets the way grade.sh does, each test cheatRuns times in its own
// process, and asserts that it scores at most maxCheatScore and that
// every failure names the check that caught it. It builds one test binary
// per cheat and takes a minute or two; go test -short skips it.
func TestCheatingRaftsScoreNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("grades every cheating Raft (a minute or two); skipped with -short")
	}
	root, err := FindRoot(".")
	require.NoError(t, err)
	for _, cheat := range cheats {
		t.Run(cheat.dir, func(t *testing.T) {
			t.Parallel()
			file := cheatsDir + "/" + cheat.dir + "/raft.go"
			lab := labtest.Labs[cheat.lab-1]
			tests, results := gradeRaftFile(t, root, file, lab, cheatRuns)
			score, passed := labScore(lab, tests, results)
			assert.LessOrEqual(t, score, maxCheatScore, "%s scored %d/100 in %s; it passed %s",
				cheat.dir, score, lab.Dir, strings.Join(passed, ", "))
			for i, test := range tests {
				for _, res := range results[i] {
					if res.Passed {
						continue
					}
					for _, want := range cheat.want {
						if !strings.Contains(res.Verdict, want) {
							t.Errorf("%s failed %s in %s (seed %d), but its verdict does not say %q:\n%s\nrerun: %s",
								cheat.dir, test.Name(), lab.Dir, res.Seed, want, indent(res.Verdict), styleRerun(lab, file, res))
							break
						}
					}
				}
			}
			t.Logf("%s scored %d/100 in %s over %d runs of each test", cheat.dir, score, lab.Dir, cheatRuns)
		})
	}
}

// labScore scores results as grade.sh does: each of the lab's own tests
// earns its points if every run passed; an earlier lab's test that failed
// a run costs its points, down to 0. It also returns the tests that passed.
func labScore(lab labtest.Lab, tests []labtest.Test, results [][]Result) (score int, passed []string) {
	regressions := 0
	for i, test := range tests {
		ok := true
		for _, res := range results[i] {
			ok = ok && res.Passed
		}
		switch {
		case ok:
			passed = append(passed, fmt.Sprintf("%s (%d)", test.Name(), test.Points))
			if test.Lab == lab.Number {
				score += test.Points
			}
		case test.Lab < lab.Number:
			regressions += test.Points
		}
	}
	return max(score-regressions, 0), passed
}
