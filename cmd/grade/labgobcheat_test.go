package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"raftlabs/labtest"
)

// TestInitRegisteredLowerCaseFieldFails grades the init-registered-types
// cheat (issue 23): a lab 1 Raft whose RequestVoteArgs has a lower-case
// field, and an init that registers its RPC types before any test runs,
// which used to spend labgob's one report per process where no test saw
// it. Every test sends the field, so every test must fail with labgob's
// words. The same Raft with the field capitalised, its init unchanged,
// must score full marks: registering types in init costs nothing.
func TestInitRegisteredLowerCaseFieldFails(t *testing.T) {
	cheat := filepath.Join("testdata", "cheats", "init-registered-types")
	lab := labtest.Labs[0]
	full := labPoints(lab)

	status, out := grade(t, "--submission", cheat, "--jobs", "2", "lab1")
	assert.Equal(t, exitNotFull, status, out)
	assert.Contains(t, out, fmt.Sprintf("lab1 total: 0/%d", full))
	verdict := "labgob: raft.RequestVoteArgs.sentAt starts with a lower-case letter, so gob will not send or save it"
	assert.Equal(t, len(labtest.TestsUpTo(lab.Number)), strings.Count(out, ": "+verdict), "every test must name the field:\n%s", out)

	honest := t.TempDir()
	copyGoFiles(t, filepath.Join(cheat, lab.Dir), filepath.Join(honest, lab.Dir), func(src string) string {
		return strings.ReplaceAll(src, "sentAt", "SentAt")
	})
	status, out = grade(t, "--submission", honest, "--jobs", "2", "lab1")
	assert.Equal(t, exitFullMarks, status, out)
	assert.Contains(t, out, fmt.Sprintf("lab1 total: %d/%d", full, full))
}
