package main

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"raftlabs/grading"
)

// TestLabvetFlagsTheVariantsWithItsMistakes runs labvet on the reference
// with the hunks of each variant whose bug is one labvet looks for in the
// source: each must be flagged, by the check that names it. (The other
// variants are logic or timing bugs the source does not show; labvet is
// silent on them, as docs/labvet.md records, but checking that here would
// type-check the reference once per variant, a minute or more.)
func TestLabvetFlagsTheVariantsWithItsMistakes(t *testing.T) {
	flagged := map[string]string{ // variant: the check that must flag it
		"snapshot-sent-under-lock": "lockheld",
	}
	root, vs := courseVariants(t)
	seen := 0
	for _, v := range vs {
		check, want := flagged[v.Name]
		if !want {
			continue
		}
		seen++
		files, err := v.Apply(os.DirFS(root))
		require.NoError(t, err, v.Name)
		findings, err := grading.VetReplaced(root, files, "solutions")
		require.NoError(t, err, v.Name)
		var checks []string
		for _, f := range findings {
			checks = append(checks, f.Check)
		}
		assert.Contains(t, checks, check, "%s: labvet's %s check must flag it", v.Name, check)
	}
	assert.Equal(t, len(flagged), seen, "every variant named here exists in solutions/variants")
}
