package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"text/tabwriter"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"raftlabs/classroom"
	"raftlabs/labtest"
	"raftlabs/labtest/generate"
)

// The course's own documents, checked against the code: a changed message,
// a moved line, a budget or a test that changed fails here until the
// documents are brought up to date (go run ./cmd/labgen rewrites what it
// generates; the message says what to do otherwise).

const root = "../.."

func readDoc(t *testing.T, name string) string {
	t.Helper()
	doc, err := os.ReadFile(filepath.Join(root, name))
	require.NoError(t, err)
	return string(doc)
}

// TestSkeletonSamplesAreCurrent reruns each sample of a lab skeleton's
// output (go test in a lab folder) and compares, real durations aside.
// Samples of the known-buggy variants take a build each, so only their
// citations and words are checked (below); labgen reruns them.
func TestSkeletonSamplesAreCurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("reruns go test in the lab folders")
	}
	for _, name := range sampleDocs() {
		samples, err := findSamples(readDoc(t, name))
		require.NoError(t, err, name)
		for _, s := range samples {
			sc, err := parseSampleCommand(s.command)
			require.NoError(t, err, name)
			if sc.labDir == "" {
				continue
			}
			got, err := sc.run(root)
			require.NoError(t, err)
			assert.Equal(t, normalize(s.text), normalize(got),
				"%s: the output of %q has changed: run go run ./cmd/labgen -samples", name, s.command)
		}
	}
}

func TestSampleCitesAreCurrent(t *testing.T) {
	for _, name := range sampleDocs() {
		assert.Empty(t, checkCites(root, readDoc(t, name)), name)
	}
}

func TestCitationsAreInSamples(t *testing.T) {
	for _, name := range sampleDocs() {
		assert.Empty(t, checkStrayCitations(readDoc(t, name)), name)
	}
}

func TestSampleMessagesAreLabtests(t *testing.T) {
	literals, err := labtestLiterals(root)
	require.NoError(t, err)
	for _, name := range sampleDocs() {
		assert.Empty(t, checkMessages(root, readDoc(t, name), literals), name)
	}
}

func TestBudgetsAreTheTests(t *testing.T) {
	for _, name := range sampleDocs() {
		assert.Empty(t, checkBudgets(root, readDoc(t, name)), name)
	}
}

func TestTestListsAreTheSuite(t *testing.T) {
	for _, lab := range labtest.Labs {
		assert.Empty(t, checkTestLists(readDoc(t, filepath.Join("docs", lab.Dir+".md")), lab), lab.Dir)
	}
}

// The checks themselves, on small documents.

func TestFindSamples(t *testing.T) {
	doc := "text\n" +
		"<!-- output: cd lab1-election && go test -run '^TestKillLab1$' -seed 1 -->\n" +
		"```\n$ cd lab1-election && go test -run '^TestKillLab1$' -seed 1\nline one\n    lab1.go:18: no leader\n```\n" +
		"<!-- cites lab1.go:18: c.CheckOneLeader() -->\n" +
		"<!-- end of output -->\nmore text\n"
	samples, err := findSamples(doc)
	require.NoError(t, err)
	require.Len(t, samples, 1)
	assert.Equal(t, "line one\n    lab1.go:18: no leader\n", samples[0].text)
	assert.Equal(t, []string{"lab1.go:18: c.CheckOneLeader()"}, samples[0].cites)

	_, err = findSamples("<!-- output: go test -->\n```\n```\n")
	assert.ErrorContains(t, err, "has no")
}

func TestParseSampleCommand(t *testing.T) {
	sc, err := parseSampleCommand(`go run ./cmd/variants -show "-run '^TestFigure8Lab2$' -seed 1" commit-old-term`)
	require.NoError(t, err)
	assert.Equal(t, "commit-old-term", sc.variant)
	assert.Equal(t, []string{"-run", "^TestFigure8Lab2$", "-seed", "1"}, sc.args)
	assert.Equal(t, "go test -run '^TestFigure8Lab2$' -seed 1", sc.shown)

	_, err = parseSampleCommand("rm -rf /")
	assert.ErrorContains(t, err, "cannot run")
}

func TestCheckCitesSeesAMovedLine(t *testing.T) {
	doc := "<!-- output: cd lab1-election && go test -->\n```\n$ x\n    lab1.go:1: no leader\n```\n" +
		"<!-- cites lab1.go:1: c.CheckOneLeader() -->\n<!-- end of output -->\n"
	problems := checkCites(root, doc)
	require.Len(t, problems, 1)
	assert.Contains(t, problems[0], `was "c.CheckOneLeader()" when the output was written and is now "package labtest"`)

	missing := strings.Replace(doc, "<!-- cites lab1.go:1: c.CheckOneLeader() -->\n", "", 1)
	assert.Contains(t, strings.Join(checkCites(root, missing), "\n"), "has no")
}

func TestCheckStrayCitations(t *testing.T) {
	sample := "<!-- output: x -->\n```\n    lab1.go:18: no leader\n```\n<!-- cites lab1.go:18: c.CheckOneLeader() -->\n<!-- end of output -->\n"
	assert.Empty(t, checkStrayCitations(sample))
	stray := sample + "The check is at `lab2.go:406`.\n"
	assert.Equal(t, []string{"line 7 names lab2.go:406 outside a generated sample: put the output it comes from in a " +
		"sample block (<!-- output: COMMAND -->, see cmd/labgen/samples.go) and run go run ./cmd/labgen -samples, " +
		"or name the place without its line number"}, checkStrayCitations(stray))
}

func TestCheckMessagesSeesChangedWords(t *testing.T) {
	literals := strings.Join([]string{"no leader: %v passed and no connected server believes it is the leader",
		"%s: its timer should have run out (%s; Figure 2)", "a refused RequestVote must not reset it"}, "\x00")
	doc := "<!-- output: x -->\n```\n$ x\n    lab1.go:18: no leader: 5s passed and no connected server believes it is the leader\n" +
		"    lab1.go:20: s1: its timer should have run out (a refused RequestVote must not reset it; Figure 2)\n```\n" +
		"<!-- end of output -->\n"
	assert.Empty(t, checkMessages(root, doc, literals))
	changed := strings.Replace(doc, "believes it is", "is sure it is", 1)
	assert.Contains(t, strings.Join(checkMessages(root, changed, literals), "\n"), `says "is sure it is the leader" any more`)
}

func TestFixedWords(t *testing.T) {
	assert.Equal(t, []string{"granted its vote to"}, fixedWords("s2 granted its vote to s1 in term 18 every 50ms"))
	assert.Empty(t, fixedWords("index 2 was applied (244234280) by 3 servers [s0 s3 s4]"))
	assert.Equal(t, []string{"passed and no connected server believes it is the leader"},
		fixedWords("no leader: 5s passed and no connected server believes it is the leader"))
}

func TestCheckBudgetsComputes(t *testing.T) {
	good := "| `TestRPCCountsLab2` | RPCs for a burst | at most (12 + 3) × 3 = 45 |\n" +
		"| `TestBackupLab2` | RPCs to each stale server | at most 40 each |\n"
	assert.Empty(t, checkBudgets(root, good))
	wrong := strings.Replace(good, "= 45", "= 46", 1)
	assert.Contains(t, strings.Join(checkBudgets(root, wrong), "\n"), "(12+3)*3 is 45, not 46")
	unknown := strings.Replace(good, "at most 40", "at most 41", 1)
	assert.Contains(t, strings.Join(checkBudgets(root, unknown), "\n"), "counts with 41, which neither Backup's code")
}

func TestCheckTestListsSeesMissingTestsAndPoints(t *testing.T) {
	lab := labtest.Labs[0]
	var all, points []string
	for _, test := range labtest.TestsUpTo(lab.Number) {
		all = append(all, "Test "+test.Name()+": seed 1, virtual time")
		points = append(points, "  "+test.Name()+"  "+"99/99  1/1  1.00s  0.01s  1")
	}
	block := func(lines []string) string { return "```\n" + strings.Join(lines, "\n") + "\n```\n" }
	assert.Empty(t, checkTestLists(block(all), lab))
	assert.Contains(t, strings.Join(checkTestLists(block(all[1:]), lab), "\n"), "missing ["+labtest.Suite[0].Name()+"]")
	assert.Contains(t, strings.Join(checkTestLists(block(points), lab), "\n"), "99/99 points")
}

func TestNormalizeBlanksRealTime(t *testing.T) {
	a := "  FAILED  5.03s virtual  0.02s real  3 peers\n--- FAIL: TestX (0.06s)\nFAIL\traftlabs/lab1-election\t0.090s\n"
	b := "  FAILED  5.03s virtual  0.31s real  3 peers\n--- FAIL: TestX (1.06s)\nFAIL\traftlabs/lab1-election\t2.100s"
	assert.Equal(t, normalize(a), normalize(b))
	assert.NotEqual(t, normalize(a), normalize(strings.Replace(b, "5.03s virtual", "5.04s virtual", 1)))
	assert.Equal(t, normalize("trace: /tmp/raftlabs-traces/TestX-seed1.jsonl  (see it: go run x -open /tmp/raftlabs-traces/TestX-seed1.jsonl)"),
		normalize("trace: /var/t/raftlabs-traces/TestX-seed1.jsonl  (see it: go run x -open /var/t/raftlabs-traces/TestX-seed1.jsonl)"))
}

// TestPastedTablesHaveTheSuitesPoints checks that every grader table pasted
// in the documents (the reference runs) has the suite's points and totals:
// go run ./cmd/labgen rewrites them after a reweighting.
func TestPastedTablesHaveTheSuitesPoints(t *testing.T) {
	docs, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	require.NoError(t, err)
	for _, path := range append(docs, filepath.Join(root, "README.md")) {
		name, _ := filepath.Rel(root, path)
		doc := readDoc(t, name)
		assert.Equal(t, doc, withSuitePoints(doc), "%s: its grader tables are not the suite's points: run go run ./cmd/labgen", name)
	}
}

// TestWithSuitePointsRewritesAReweightedTable rewrites a reference run
// pasted before a reweighting: the points column and the totals follow the
// suite, a dropped test's row goes, and the columns are aligned again.
func TestWithSuitePointsRewritesAReweightedTable(t *testing.T) {
	reweight(t)
	points := map[string]int{}
	total := 0
	for _, test := range labtest.Suite {
		points[test.Name()] = test.Points
		if test.Lab == 1 {
			total += test.Points
		}
	}
	before := "```\n$ ./grade.sh --reference lab1\n" +
		"  test                        points  result  virtual  real   RPCs\n" +
		"  TestInitialElectionLab1     1/1     pass    3.05s    0.55s  56\n" +
		"  TestStaleVoteLab1           2/2     pass    0.51s    0.29s  7\n" +
		"  TestLateVotesLab1           3/3     pass    3.74s    0.40s  21\n" +
		"  TestElectionTimerLab1       0/4     FAIL    11.45s   0.41s  454\n" +
		"      s1: its timer should have run out\n" +
		"\nlab1 total: 100/100\n\ntotal: 100/100\n```\n"
	table := "  test\tpoints\tresult\tvirtual\treal\tRPCs\n" +
		fmt.Sprintf("  TestInitialElectionLab1\t%d/%d\tpass\t3.05s\t0.55s\t56\n", points["TestInitialElectionLab1"], points["TestInitialElectionLab1"]) +
		fmt.Sprintf("  TestStaleVoteLab1\t%d/%d\tpass\t0.51s\t0.29s\t7\n", points["TestStaleVoteLab1"], points["TestStaleVoteLab1"]) +
		fmt.Sprintf("  TestElectionTimerLab1\t0/%d\tFAIL\t11.45s\t0.41s\t454\n", points["TestElectionTimerLab1"])
	var aligned strings.Builder
	tw := tabwriter.NewWriter(&aligned, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, table)
	tw.Flush()
	lines := strings.Split(strings.TrimSuffix(aligned.String(), "\n"), "\n")
	for i := range lines {
		lines[i] = strings.TrimRight(lines[i], " ")
	}
	want := "```\n$ ./grade.sh --reference lab1\n" + strings.Join(lines, "\n") + "\n" +
		"      s1: its timer should have run out\n" +
		fmt.Sprintf("\nlab1 total: %d/%d\n\ntotal: %d/%d\n```\n", total, total, total, total)
	assert.Equal(t, want, withSuitePoints(before), "the points and totals follow the suite, the dropped test's row goes")

	goTest := "```\nTest TestStaleVoteLab1: seed 1, virtual time\n  passed  0.54s virtual\n" +
		"Test TestLateVotesLab1: seed 2, virtual time\n  passed  3.47s virtual\n" +
		"Test TestKillLab1: seed 3, virtual time\n  passed  2.21s virtual\nPASS\n```\n"
	assert.Equal(t, strings.Replace(goTest, "Test TestLateVotesLab1: seed 2, virtual time\n  passed  3.47s virtual\n", "", 1),
		withSuitePoints(goTest), "a dropped test's go test lines go")
}

// TestFromMITListsTheProbeNames checks that docs/from-mit.md lists every
// name the tests' own RPCs accept for each field they fill.
func TestFromMITListsTheProbeNames(t *testing.T) {
	doc := readDoc(t, "docs/from-mit.md")
	for what, names := range labtest.ProbeFieldNames() {
		for _, name := range names {
			assert.Contains(t, doc, "`"+name+"`", "docs/from-mit.md must list %s as a name for %s", name, what)
		}
	}
	assert.Empty(t, checkProbeTable(doc))
}

// reweight changes labtest.Suite, until the test ends, as an instructor
// might and as docs/instructors.md's example does: lab 1's
// TestStaleVoteLab1 gains the points of TestLateVotesLab1, which is
// dropped.
func reweight(t *testing.T) {
	t.Helper()
	saved := labtest.Suite
	t.Cleanup(func() { labtest.Suite = saved })
	labtest.Suite = nil
	moved := 0
	for _, test := range saved {
		if test.Name() == "TestLateVotesLab1" {
			moved = test.Points
		}
	}
	require.NotZero(t, moved, "TestLateVotesLab1 is no longer in the suite: reweight another test")
	for _, test := range saved {
		switch test.Name() {
		case "TestStaleVoteLab1":
			test.Points += moved
		case "TestLateVotesLab1":
			continue // dropped
		}
		labtest.Suite = append(labtest.Suite, test)
	}
	require.NoError(t, labtest.CheckPoints())
}

// TestAReweightingRegeneratesEveryDocument reweights the suite (reweight),
// runs labgen's generation on a copy of the course's documents, and checks
// that every check of the documents that depends on the suite passes on
// what it wrote: the handouts' lists of tests and their points, the
// reference runs pasted in them, from-mit.md's table of the tests that
// send RPCs of their own, and the workflow. Before the generation the
// copy fails them.
func TestAReweightingRegeneratesEveryDocument(t *testing.T) {
	docs, err := generate.SuiteDocs(root)
	require.NoError(t, err)
	reweight(t)
	dir := t.TempDir()
	names, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	require.NoError(t, err)
	for _, name := range append(names, filepath.Join(root, "README.md")) {
		rel, err := filepath.Rel(root, name)
		require.NoError(t, err)
		writeFile(t, filepath.Join(dir, rel), readDoc(t, rel))
	}
	for _, lab := range labtest.Labs {
		require.NoError(t, os.MkdirAll(filepath.Join(dir, lab.Dir), 0o755))
	}
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "classroom"), 0o755))
	read := func(name string) string {
		doc, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		return string(doc)
	}
	require.NotEmpty(t, checkProbeTable(read("docs/from-mit.md")), "the copy is stale before labgen runs")
	require.NotEmpty(t, checkTestLists(read("docs/lab1-election.md"), labtest.Labs[0]), "the copy is stale before labgen runs")

	require.NoError(t, writeGenerated(dir, docs))
	for _, lab := range labtest.Labs {
		handout := filepath.Join("docs", lab.Dir+".md")
		assert.Empty(t, checkTestLists(read(handout), lab), handout)
		assert.NotContains(t, read(filepath.Join(lab.Dir, "suite_test.go")), "TestLateVotesLab1", "the dropped test does not run")
	}
	for _, name := range append(names, filepath.Join(root, "README.md")) {
		rel, _ := filepath.Rel(root, name)
		assert.Equal(t, read(rel), withSuitePoints(read(rel)), "%s: its pasted tables are not the suite's points", rel)
	}
	assert.Empty(t, checkProbeTable(read("docs/from-mit.md")))
	assert.False(t, strings.Contains(read("docs/from-mit.md"), "| `TestLateVotesLab1` |"), "the dropped test's row goes")
	assert.Equal(t, string(classroom.Workflow(labtest.Labs)), read("classroom/classroom.yml"))
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
}
