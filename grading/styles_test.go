package grading

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"raftlabs/labtest"
)

// stylesDir holds the style Rafts: one folder per style, each with a
// raft.go that is a complete Raft for the labs up to its row's lastLab
// (see its README.md).
const stylesDir = "labtest/testdata/styles"

// styles lists every folder of stylesDir. leaksAfterKill marks a style that
// leaves goroutines running after Kill on purpose, as much code that passes
// MIT's tester does: such a style may fail the labs' Kill tests and nothing
// else, and it must fail them, or those tests no longer catch its leak.
// repliesAsRPCs marks a style that answers with RPCs of its own instead of
// filling in its handlers' replies: the tests that send RPCs of their own
// (Test.Probe) cannot read its answers, so it may fail those and nothing
// else, each with a verdict that says why (probeCannotReach), and loses at
// most 10 points a lab for it (labtest.TestProbeWeight).
// lastLab is the last lab the style is written for (0: lab 2, the labs
// before persistence); it is graded in every lab up to that one.
// Adding a style is adding its folder and a row here.
var styles = []struct {
	dir            string
	leaksAfterKill bool
	repliesAsRPCs  bool
	lastLab        int
}{
	{dir: "cond-applier", leaksAfterKill: true},
	{dir: "polling-applier", leaksAfterKill: true},
	{dir: "closed-applych"},
	{dir: "cond-replicator"},
	{dir: "peer-loop"},
	{dir: "entry-index"},
	{dir: "uint64-terms"},
	{dir: "odd-field-names", lastLab: 4},
	{dir: "silent-readpersist", lastLab: 4},
	{dir: "slow-election"},
	{dir: "heartbeat-only-entries", lastLab: 4},
	{dir: "reply-rpcs", repliesAsRPCs: true},
	{dir: "bits-and-pieces"},
	{dir: "decode-initialised", lastLab: 4},
	{dir: "gob-compatible-reply", lastLab: 4},
	{dir: "cond-install-2021", lastLab: 4},
}

// probeCannotReach is what the verdict of a test that sends RPCs of its
// own says of a Raft that answers with RPCs of its own.
const probeCannotReach = "it seems to answer with an RPC of its own"

// defaultLastLab is the last lab of a style whose row does not say: a Raft
// with no persistence and no snapshots, which labs 3 and 4 would fail for
// that.
const defaultLastLab = 2

// styleRuns is how many times each test runs on each style, as a class
// grades (grade.conf's runs): a style must pass every run.
const styleRuns = 3

// maxLeakCost is the most a lab's grade may cost a Raft whose only fault
// is goroutines left running after Kill (issue 6: "the leak test, at most
// 5 points a lab").
const maxLeakCost = 5

// isKillTest reports whether test is a lab's "Kill stops every goroutine"
// test, the one test in which goroutines left after Kill cost points.
func isKillTest(test labtest.Test) bool {
	return strings.HasPrefix(test.ScenarioName(), "Kill")
}

// TestStylesTableListsEveryFolder keeps the table above and the folders in
// step: a style folder without a row would never be graded.
func TestStylesTableListsEveryFolder(t *testing.T) {
	var rows []string
	for _, s := range styles {
		rows = append(rows, s.dir)
	}
	assert.ElementsMatch(t, raftFolders(t, stylesDir), rows, "the folders of %s and the rows of the styles table in grading/styles_test.go", stylesDir)
}

// raftFolders returns the folders of dir (a slash path from the course's
// root), each of which must hold a raft.go: the style and cheating Rafts.
func raftFolders(t *testing.T, dir string) []string {
	t.Helper()
	root, err := FindRoot(".")
	require.NoError(t, err)
	entries, err := os.ReadDir(filepath.Join(root, dir))
	require.NoError(t, err)
	var folders []string
	for _, e := range entries {
		if e.IsDir() {
			folders = append(folders, e.Name())
			assert.FileExists(t, filepath.Join(root, dir, e.Name(), "raft.go"), "every folder of %s holds a raft.go", dir)
		}
	}
	return folders
}

// gradeRaftFile builds lab with its raft.go replaced by file (a slash path
// from root; nothing on disk changes) and runs every test of the lab's
// folder runs times, each run in its own process, as grade.sh does. It
// returns the tests and their runs' results.
func gradeRaftFile(t *testing.T, root, file string, lab labtest.Lab, runs int) ([]labtest.Test, [][]Result) {
	t.Helper()
	content, err := os.ReadFile(filepath.Join(root, file))
	require.NoError(t, err)
	src := Source{Replace: map[string][]byte{lab.Dir + "/raft.go": content}}
	bin, err := Build(root, lab, src, BuildOptions{Dir: t.TempDir()})
	require.NoError(t, err, "%s in %s", file, lab.Dir)
	tests := labtest.TestsUpTo(lab.Number)
	return tests, RunTests(bin, filepath.Join(root, lab.Dir), tests, BatchOptions{
		RunOptions: RunOptions{Timeout: 3 * time.Minute},
		Runs:       runs,
		Jobs:       2,
	})
}

// TestStylesScoreFullMarks grades every style Raft in its labs the way
// grade.sh does, each test three times (styleRuns), each run in its own
// process, and asserts full marks: a Raft written for MIT 6.824 or 6.5840
// in a common style, and otherwise correct, loses no points for its style.
// A style that leaks after Kill loses only the Kill tests. It builds a test
// binary per style and lab, and takes a few minutes; go test -short skips
// it.
func TestStylesScoreFullMarks(t *testing.T) {
	if testing.Short() {
		t.Skip("grades every style Raft in every lab (a minute or two); skipped with -short")
	}
	root, err := FindRoot(".")
	require.NoError(t, err)
	start := time.Now()
	t.Cleanup(func() { t.Logf("graded %d styles in %v", len(styles), time.Since(start).Round(time.Second)) })

	for _, style := range styles {
		t.Run(style.dir, func(t *testing.T) {
			t.Parallel()
			file := stylesDir + "/" + style.dir + "/raft.go"
			lastLab := cmp.Or(style.lastLab, defaultLastLab)
			for _, lab := range labtest.Labs {
				if lab.Number > lastLab {
					break
				}
				tests, results := gradeRaftFile(t, root, file, lab, styleRuns)
				hasKillTest := false
				for _, test := range tests {
					hasKillTest = hasKillTest || isKillTest(test)
				}
				lost, lostTo := 0, []string{}
				for i, test := range tests {
					for _, res := range results[i] {
						if !res.Passed {
							// As grade.sh scores: a failed test of this lab
							// earns nothing, one of an earlier lab costs its
							// points here.
							lost += test.Points
							lostTo = append(lostTo, fmt.Sprintf("%s %d", test.Name(), test.Points))
							break
						}
					}
					for _, res := range results[i] {
						switch {
						case res.Passed && style.leaksAfterKill && isKillTest(test):
							t.Errorf("%s passed %s in %s, but this style leaves goroutines running after Kill: "+
								"either the style no longer leaks (fix it, or mark it leaksAfterKill false) "+
								"or the Kill test no longer catches the leak\nrerun: %s",
								style.dir, test.Name(), lab.Dir, styleRerun(lab, file, res))
						case res.Passed:
						case style.leaksAfterKill && isKillTest(test):
							// The one test where a leak costs points.
						case style.repliesAsRPCs && test.Probe && strings.Contains(res.Verdict, probeCannotReach):
							// The tests that cannot read its answers, and say so.
						case style.leaksAfterKill && !hasKillTest && strings.HasPrefix(res.Verdict, "goroutine leak"):
							// A suite without a Kill test still fails every
							// test that leaks.
						default:
							t.Errorf("%s failed %s in %s (seed %d):\n%s\nrerun: %s",
								style.dir, test.Name(), lab.Dir, res.Seed, indent(res.Verdict), styleRerun(lab, file, res))
						}
					}
				}
				if style.leaksAfterKill && lost > maxLeakCost {
					t.Errorf("%s lost %d points in %s (%s) for goroutines left after Kill; a leak may cost at most %d "+
						"points a lab: one low-weight Kill test, not one per lab whose tests run here",
						style.dir, lost, lab.Dir, strings.Join(lostTo, ", "), maxLeakCost)
				}
			}
		})
	}
}

// styleRerun is the command that reruns res's test, with its seed, on the
// style Raft in file, from the course's root (bash), leaving the lab
// folder untouched.
func styleRerun(lab labtest.Lab, file string, res Result) string {
	overlay := fmt.Sprintf(`{"Replace":{"%s/raft.go":"%s"}}`, lab.Dir, file)
	cmd := fmt.Sprintf("go test -overlay <(echo '%s') ./%s -run '^%s$'", overlay, lab.Dir, res.Test.Name())
	if res.Seed != 0 {
		cmd += fmt.Sprintf(" -seed %d", res.Seed)
	}
	return cmd
}

// indent indents every line of s by four spaces.
func indent(s string) string {
	return "    " + strings.ReplaceAll(strings.TrimSpace(s), "\n", "\n    ")
}
