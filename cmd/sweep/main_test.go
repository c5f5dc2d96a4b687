package main

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"raftlabs/grading"
)

func TestParseArgsInAnyOrder(t *testing.T) {
	cfg, err := parseArgs([]string{"lab2", "-seeds", "50", "Figure8", "-failures", "1", "TestBackupLab2"}, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "lab2-replication", cfg.lab.Dir)
	assert.Equal(t, 50, cfg.seeds)
	assert.Equal(t, 1, cfg.failures)
	assert.Equal(t, []string{"TestFigure8Lab2", "TestBackupLab2"}, cfg.tests)

	cfg, err = parseArgs([]string{"1"}, io.Discard)
	require.NoError(t, err)
	assert.Contains(t, cfg.tests, "TestInitialElectionLab1", "no test named: every test of the lab's folder")
	assert.NotContains(t, cfg.tests, "TestBasicAgreeLab2")
}

func TestParseArgsErrors(t *testing.T) {
	_, err := parseArgs(nil, io.Discard)
	assert.ErrorContains(t, err, "name a lab")
	_, err = parseArgs([]string{"lab1", "Figure9"}, io.Discard)
	assert.ErrorContains(t, err, `lab1-election has no test "Figure9"`)
	_, err = parseArgs([]string{"lab1", "-seeds", "0"}, io.Discard)
	assert.Error(t, err)
}

// TestSweepFindsAndRecordsFailures sweeps the lab 1 skeleton, which elects
// no leader, and the reference, which passes, over a few seeds. In the
// students' copy, which has no reference, the second half checks that the
// sweep says so.
func TestSweepFindsAndRecordsFailures(t *testing.T) {
	if testing.Short() {
		t.Skip("builds lab 1 twice and runs a few tests; skipped with -short")
	}
	root, err := grading.FindRoot(".")
	require.NoError(t, err)
	cfg, err := parseArgs([]string{"lab1", "InitialElection", "-seeds", "5", "-failures", "2", "-jobs", "2"}, io.Discard)
	require.NoError(t, err)
	cfg.out = t.TempDir()

	var out strings.Builder
	failed, err := sweep(context.Background(), &out, root, cfg)
	require.NoError(t, err)
	assert.True(t, failed)
	text := out.String()
	assert.Contains(t, text, "failures   2 (stopped there)")
	assert.Contains(t, text, "distinct   1")
	assert.Contains(t, text, "no leader: 5s passed")
	assert.Contains(t, text, "rerun: cd lab1-election && go test -run '^TestInitialElectionLab1$' -seed ")
	files, err := filepath.Glob(filepath.Join(cfg.out, "TestInitialElectionLab1-seed*.txt"))
	require.NoError(t, err)
	require.Len(t, files, 2, "one file per failure")
	record, err := os.ReadFile(files[0])
	require.NoError(t, err)
	assert.Contains(t, string(record), "rerun: cd lab1-election")
	assert.Contains(t, string(record), "trace: "+cfg.out, "the trace is written beside it")

	cfg.reference, cfg.failures, cfg.out = true, 0, t.TempDir()
	out.Reset()
	failed, err = sweep(context.Background(), &out, root, cfg)
	if errors.Is(err, errNoReference) {
		t.Skipf("the skeleton's half passed; the reference's is skipped: %v", err)
	}
	require.NoError(t, err)
	assert.False(t, failed, "the reference passes every seed:\n%s", out.String())
	assert.Contains(t, out.String(), "seeds      5 (5 runs)")
}
