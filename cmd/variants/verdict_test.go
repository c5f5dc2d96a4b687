package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"raftlabs/grading"
	"raftlabs/labtest"
)

// TestFigure8NamesTheVoteRule pins the words of Figure 8's step (c) when a
// Raft that ignores the up-to-date check elects the one server whose log
// lacks the contested entry: the verdict names the vote rule it broke and
// what was found, not the commit rule the step exists to test.
func TestFigure8NamesTheVoteRule(t *testing.T) {
	if testing.Short() {
		t.Skip("builds lab 2 with a variant and runs its Figure 8 test until the bug shows")
	}
	root, vs := courseVariants(t, "vote-without-uptodate-check")
	files, err := vs[0].Apply(os.DirFS(root))
	require.NoError(t, err)

	lab := labtest.Labs[1]
	bin, err := grading.Build(root, lab, grading.Source{Reference: true, Replace: files},
		grading.BuildOptions{Dir: t.TempDir()})
	require.NoError(t, err)
	test := labtest.Test{Lab: 2, Scenario: labtest.Figure8}

	// Whether the server without the entry wins step (c) depends on the
	// seed; the first seeds that show it are searched for, in order.
	var seen []string
	for seed := int64(1); seed <= 40; seed++ {
		res := grading.RunTest(bin, filepath.Join(root, lab.Dir), test, grading.RunOptions{Seed: seed})
		if strings.Contains(res.Verdict, "was elected leader of term") {
			assert.Regexp(t, `lab2_reordering\.go:\d+: s\d was elected leader of term \d+ by s\d and s\d, though its log ends before index \d+, `+
				`where both of them hold an entry of term \d+: a voter must refuse a candidate whose log is less up to date than its own `+
				`\(§5\.4\.1, RequestVote receiver rule 2\)`, res.Verdict)
			assert.Contains(t, res.Verdict, "leadership history")
			assert.NotContains(t, res.Verdict, "no leader", "the verdict must say who won, not that nobody did")
			return
		}
		if !res.Passed {
			first, _, _ := strings.Cut(res.Verdict, "\n")
			seen = append(seen, first)
		}
	}
	t.Fatalf("in 40 seeds the variant never elected the server without the entry in step (c); its failures were:\n%s",
		strings.Join(seen, "\n"))
}

// TestRPCBytesNamesWhereTheBytesWent pins the words of the byte budget's
// verdict when every AppendEntries carries the whole log: the bytes each
// server received, as copies of the commands, and every way a Raft sends
// entries twice, not only the heartbeat.
func TestRPCBytesNamesWhereTheBytesWent(t *testing.T) {
	if testing.Short() {
		t.Skip("builds lab 2 with a variant")
	}
	root, vs := courseVariants(t, "resend-whole-log")
	files, err := vs[0].Apply(os.DirFS(root))
	require.NoError(t, err)
	lab := labtest.Labs[1]
	bin, err := grading.Build(root, lab, grading.Source{Reference: true, Replace: files},
		grading.BuildOptions{Dir: t.TempDir()})
	require.NoError(t, err)

	res := grading.RunTest(bin, filepath.Join(root, lab.Dir), labtest.Test{Lab: 2, Scenario: labtest.RPCBytes}, grading.RunOptions{Seed: 1})
	require.False(t, res.Passed, "a Raft that sends the whole log every time must fail the byte budget")
	assert.Regexp(t, `ten commands of 5000 bytes cost \d+ bytes of RPC requests \(replies not counted\); the budget is 150000`, res.Verdict)
	assert.Regexp(t, `bytes delivered to each server: s\d \d+ \(\d\d?\.\d copies of the commands\), s\d \d+ \(\d\d?\.\d copies of the commands\)\n`, res.Verdict,
		"the two followers, each sent every command about eleven times")
	assert.Contains(t, res.Verdict, "not again with every heartbeat, nor in an AppendEntries sent to announce a commit, "+
		"nor in a retry while the earlier send is still in flight")
}
