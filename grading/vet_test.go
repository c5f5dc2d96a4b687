package grading

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"raftlabs/labtest"
)

// TestVetFindsNothingInCorrectRafts checks labvet's promise of precision:
// no finding in the reference, in any lab's skeleton, or in any of the
// style Rafts, which are correct Rafts written the ways students write
// them.
func TestVetFindsNothingInCorrectRafts(t *testing.T) {
	root := vetRoot(t)
	var dirs []string
	if _, err := os.Stat(filepath.Join(root, "solutions")); err == nil { // a student's copy has none
		dirs = append(dirs, "solutions")
		subdirs, err := os.ReadDir(filepath.Join(root, "solutions"))
		require.NoError(t, err)
		for _, e := range subdirs {
			// The reference key/value service, solutions/kv (the
			// variants' folder holds patches, not a package).
			goFiles, _ := filepath.Glob(filepath.Join(root, "solutions", e.Name(), "*.go"))
			if e.IsDir() && len(goFiles) > 0 {
				dirs = append(dirs, "solutions/"+e.Name())
			}
		}
	}
	for _, lab := range labtest.LabsIn(root) {
		dirs = append(dirs, lab.Dir)
	}
	entries, err := os.ReadDir(filepath.Join(root, stylesDir))
	require.NoError(t, err)
	for _, e := range entries {
		if e.IsDir() {
			dirs = append(dirs, stylesDir+"/"+e.Name())
		}
	}
	findings, err := Vet(root, dirs...)
	require.NoError(t, err)
	assert.Empty(t, findings, "labvet must find nothing in %s", strings.Join(dirs, ", "))
}

// TestVetFindsTheBrokenRafts checks that every broken Rafts of the
// harness's own tests that carries one of labvet's mistakes is flagged,
// with the words that name it.
func TestVetFindsTheBrokenRafts(t *testing.T) {
	root := vetRoot(t)
	findings, err := Vet(root, "labtest/testdata/broken")
	require.NoError(t, err)
	want := []struct{ check, file, words string }{
		{"spinloop", "broken.go", "loop in func literal in MakeBusyLoop never sleeps or blocks"},
		{"lockheld", "broken.go", "rf.mu held across call to LockAcrossCall.Ping"},
		{"lockheld", "broken.go", "rf.mu held across time.Sleep"},
		{"rpcfields", "broken.go", "field LowerArgs.term starts with a lower-case letter"},
		{"lockheld", "flawed.go", "rf.mu held across time.Sleep"},
		{"spinloop", "harness.go", "loop in MakeSpinningMake never sleeps or blocks"},
		{"lockheld", "harness.go", "rf.mu held across send on applyCh"},
	}
	for _, w := range want {
		found := false
		for _, f := range findings {
			found = found || (f.Check == w.check && filepath.Base(f.File) == w.file && strings.Contains(f.Message, w.words))
		}
		assert.True(t, found, "no %s finding in %s saying %q; findings:\n%s", w.check, w.file, w.words, list(findings))
	}
	for _, f := range findings {
		assert.True(t, strings.HasPrefix(f.File, "labtest/testdata/broken/"), "finding outside the folder: %v", f)
		assert.Positive(t, f.Line)
	}
}

func list(findings []Finding) string {
	var b strings.Builder
	for _, f := range findings {
		b.WriteString("  " + f.Check + ": " + f.String() + "\n")
	}
	return b.String()
}

func TestVetFailsWithoutAPackage(t *testing.T) {
	_, err := Vet(vetRoot(t), "no-such-folder")
	assert.Error(t, err)
}

// TestExplain pins which verdicts name which finding.
func TestExplain(t *testing.T) {
	findings := []Finding{
		{Check: "lockheld", File: "lab1-election/raft.go", Line: 57, Message: "rf.mu held across call to Raft.RequestVote (may deadlock: unlock before sending)"},
		{Check: "lockheld", File: "lab1-election/raft.go", Line: 90, Message: "rf.mu held across send on rf.applyCh (the receiver may need rf.mu first: unlock before sending)"},
		{Check: "spinloop", File: "lab1-election/raft.go", Line: 120, Message: "loop in rf.ticker never sleeps or blocks: it spins"},
		{Check: "rpcfields", File: "lab1-election/raft.go", Line: 20, Message: "field RequestVoteArgs.Term2 starts with a lower-case letter"},
		{Check: "rpcfields", File: "lab1-election/raft.go", Line: 30, Message: "field LogEntry.term starts with a lower-case letter, so gob will not send or save it"},
	}
	cases := []struct {
		verdict string
		line    int // of the finding named; 0: none
	}{
		{"virtual time stopped at 1.20s: ...\ns1: goroutine 7 is running: it never blocks: a loop that does not sleep", 120},
		{"virtual time stopped at 1.20s: ...\ns1: goroutine 9 waits for a mutex", 57},
		{"s0 sent on applyCh while holding its lock, so virtual time stopped at 0.80s: ...", 90},
		{"s0: Make did not return: it has been running for 10.0s", 120},
		{"labgob: raft.LogEntry.term starts with a lower-case letter, so gob will not send or save it", 30},
		{"election safety: term 4 has 2 leaders [s1 s3]", 0},
		{"labgob: decoding into a raft.Reply that is not zero (Term = 3)", 0},
	}
	for _, c := range cases {
		got := Explain(c.verdict, findings)
		first, _, _ := strings.Cut(c.verdict, "\n")
		if c.line == 0 {
			assert.Equal(t, c.verdict, got)
			continue
		}
		lines := strings.Split(got, "\n")
		require.GreaterOrEqual(t, len(lines), 2, got)
		assert.Equal(t, first, lines[0])
		assert.Contains(t, lines[1], "labvet points at the likely cause: lab1-election/raft.go:"+strconv.Itoa(c.line)+": ", c.verdict)
	}
}

// vetRoot is the course's root, for the tests that vet its own code.
func vetRoot(t *testing.T) string {
	t.Helper()
	root, err := FindRoot(".")
	require.NoError(t, err)
	return root
}
