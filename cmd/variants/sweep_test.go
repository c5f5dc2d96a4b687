package main

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"raftlabs/labtest/testrun"
)

// TestSweepFindsRareVariant sweeps the variant the plain suite misses most
// often, refused-append-storm (caught in 18 of 20 suite runs, always by
// TestManyElectionsLab1), over ten seeds: a sweep of that size finds it,
// and its failing seed replays.
func TestSweepFindsRareVariant(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a variant and runs a lab 1 test a few times; skipped with -short")
	}
	root, vs := courseVariants(t, "refused-append-storm")
	o := prepare(vs[0], root)
	require.NoError(t, o.err)
	bin, err := buildVariant(o, t.TempDir(), runOptions{root: root})
	require.NoError(t, err)

	const test = "TestManyElectionsLab1"
	s := testrun.Sweep{Binary: bin, Dir: filepath.Join(root, o.lab.Dir), Tests: []string{test},
		FirstSeed: 1, Seeds: 10, Jobs: 2, MaxFailures: 1, TraceDir: t.TempDir()}
	rep := s.Run(context.Background())
	require.NotEmpty(t, rep.Failures, "a sweep of 10 seeds finds refused-append-storm")
	f := rep.Failures[0]
	assert.Contains(t, f.Rerun, "-seed ")
	assert.NotEmpty(t, f.Trace, "each failure has its trace")

	again := testrun.Sweep{Binary: bin, Dir: s.Dir, Tests: []string{test}, FirstSeed: f.Seed, Seeds: 1, Jobs: 1}
	rerun := again.Run(context.Background())
	require.Len(t, rerun.Failures, 1, "seed %d fails again", f.Seed)
	assert.Equal(t, f.Kind, rerun.Failures[0].Kind, "and the same way")
}
