package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEveryRuleBroken checks the rules against the variants: every variant
// names the rules it breaks, and every rule is broken by a variant or says
// why none can be caught here.
func TestEveryRuleBroken(t *testing.T) {
	_, vs := courseVariants(t)
	assert.Empty(t, ruleProblems(vs))
}

// TestRulesDocUpToDate checks that docs/rules.md is what go run
// ./cmd/variants -rules writes now, and that every variant has been
// measured.
func TestRulesDocUpToDate(t *testing.T) {
	root, vs := courseVariants(t)
	doc, err := os.ReadFile(filepath.Join(root, rulesDoc))
	require.NoError(t, err, "run go run ./cmd/variants -check -rules")
	measured := parseMeasurements(string(doc))
	for _, v := range vs {
		assert.Contains(t, measured, v.Name, "%s has not been measured: run go run ./cmd/variants -check -rules %s",
			v.Name, v.Name)
	}
	assert.Equal(t, renderRules(vs, measured), string(doc),
		"%s is stale: run go run ./cmd/variants -rules (and -check -rules for the variants whose runs changed)", rulesDoc)
}

func TestMeasurementsRoundTrip(t *testing.T) {
	_, vs := courseVariants(t, "commit-old-term", "stale-term-vote")
	vs[0].Verdicts = []string{"Figure 8"}
	measured := map[string]measurement{
		"commit-old-term": {killed: 9, runs: 10, failed: "TestFigure8Lab2 9", named: 8},
		"stale-term-vote": {killed: 10, runs: 10, failed: "TestStaleVoteLab1 10"},
	}
	assert.Equal(t, measured, parseMeasurements(renderRules(vs, measured)))
}

func TestNamesRule(t *testing.T) {
	v := &Variant{Verdicts: []string{"receiver rule 5", "last new entry"}}
	assert.True(t, namesRule(v, "s1 applied index 5 ... (Figure 2, AppendEntries receiver rule 5: ...)"))
	assert.False(t, namesRule(v, "no leader: 5s passed"))
	assert.False(t, namesRule(&Variant{}, "anything"), "a variant with no verdict lines names nothing")
}
