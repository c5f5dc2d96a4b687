package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"raftlabs/grading"
)

// gradescopeSpec is results.json as Gradescope's autograder specification
// documents it ("Output format" of gradescope-autograders.readthedocs.io):
// every field it names, and no other. Decoding a results.json into it with
// unknown fields disallowed checks that the grader writes only fields
// Gradescope reads, with the documented types.
type gradescopeSpec struct {
	Score            *float64         `json:"score"`          // optional when every test has one
	ExecutionTime    *int             `json:"execution_time"` // seconds
	Output           *string          `json:"output"`
	OutputFormat     *string          `json:"output_format"`
	TestOutputFormat *string          `json:"test_output_format"`
	TestNameFormat   *string          `json:"test_name_format"`
	Visibility       *string          `json:"visibility"`
	StdoutVisibility *string          `json:"stdout_visibility"`
	ExtraData        map[string]any   `json:"extra_data"`
	Tests            []gradescopeCase `json:"tests"`
	Leaderboard      []map[string]any `json:"leaderboard"`
}

type gradescopeCase struct {
	Score        *float64       `json:"score"`
	MaxScore     *float64       `json:"max_score"`
	Status       *string        `json:"status"` // "passed" or "failed"
	Name         *string        `json:"name"`
	NameFormat   *string        `json:"name_format"`
	Number       *string        `json:"number"`
	Output       *string        `json:"output"`
	OutputFormat *string        `json:"output_format"`
	Tags         []string       `json:"tags"`
	Visibility   *string        `json:"visibility"`
	ExtraData    map[string]any `json:"extra_data"`
}

var gradescopeVisibilities = []string{"hidden", "after_due_date", "after_published", "visible"}

// checkGradescope checks results.json against the specification.
func checkGradescope(t *testing.T, data []byte) gradescopeSpec {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var g gradescopeSpec
	require.NoError(t, dec.Decode(&g), "a field Gradescope does not document, or of the wrong type")
	if g.Visibility != nil {
		assert.Contains(t, gradescopeVisibilities, *g.Visibility)
	}
	for _, c := range g.Tests {
		require.NotNil(t, c.Name, "a test without a name")
		if g.Score == nil {
			assert.NotNil(t, c.Score, "%s: with no top-level score, every test needs one", *c.Name)
		}
		if c.Status != nil {
			assert.Contains(t, []string{"passed", "failed"}, *c.Status, *c.Name)
		}
		if c.Score != nil && c.MaxScore != nil && *c.Score >= 0 {
			assert.LessOrEqual(t, *c.Score, *c.MaxScore, *c.Name)
		}
		if c.Visibility != nil {
			assert.Contains(t, gradescopeVisibilities, *c.Visibility)
		}
	}
	return g
}

func TestGradescopeResultsFollowTheSpecification(t *testing.T) {
	built := scoreLab(fakeLab1, fakeSuite[:2], nil, errors.New("lab1-election does not compile"))
	rejected := scoreLab(fakeLab1, fakeSuite[:2], nil, &grading.ImportError{})
	flaky := scoreLab(fakeLab1, fakeSuite[:2], [][]grading.Result{
		runs(fakeSuite[0], true, true, false), runs(fakeSuite[1], true, true, true),
	}, nil)
	for name, scores := range map[string][]labScore{
		"two labs with a regression": twoLabs(),
		"a build error":              {built},
		"rejected":                   {rejected},
		"flaky":                      {flaky},
	} {
		t.Run(name, func(t *testing.T) {
			data, err := json.Marshal(newGradescope(config{runs: 3}, scores, time.Now().Add(-time.Minute)))
			require.NoError(t, err)
			g := checkGradescope(t, data)
			require.NotNil(t, g.Score)
			sum := 0.0
			for _, c := range g.Tests {
				sum += *c.Score
			}
			assert.Equal(t, *g.Score, sum, "the tests' scores add up to the score")
		})
	}
}

// TestGradescopeResultsOfASubmissionThatCannotBeGraded checks that a
// submission with no lab folder still gets a results.json that says why.
func TestGradescopeResultsOfASubmissionThatCannotBeGraded(t *testing.T) {
	sub := t.TempDir()
	writeFiles(t, sub, map[string]string{"notes.txt": "my Raft is in my other repository\n"})
	results := t.TempDir() + "/results.json"
	status, out := grade(t, "--submission", sub, "--gradescope", results)
	assert.Equal(t, exitUsage, status, out)
	data, err := os.ReadFile(results)
	require.NoError(t, err)
	g := checkGradescope(t, data)
	require.NotNil(t, g.Output)
	assert.Contains(t, *g.Output, "The submission could not be graded: ")
	assert.Contains(t, *g.Output, "has no lab folder")
	assert.Equal(t, 0.0, *g.Score)
	assert.False(t, slices.ContainsFunc(g.Tests, func(c gradescopeCase) bool { return *c.Score != 0 }))
}
