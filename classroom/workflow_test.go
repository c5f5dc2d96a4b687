package classroom

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"raftlabs/labtest"
)

// TestClassroomYMLIsCurrent checks that classroom.yml, which actionlint
// checks (classroom/actionlint), is the workflow Workflow writes now.
func TestClassroomYMLIsCurrent(t *testing.T) {
	got, err := os.ReadFile("classroom.yml")
	require.NoError(t, err)
	assert.Equal(t, string(Workflow(labtest.Labs)), string(got),
		"classroom.yml is out of date: go run ./cmd/labgen (or go run ./cmd/handout -workflow classroom/classroom.yml)")
}

// TestWorkflowGradesEveryLab checks the workflow's steps: one per lab,
// running the grader on it, worth the lab's points, each reported.
func TestWorkflowGradesEveryLab(t *testing.T) {
	w := string(Workflow(labtest.Labs))
	for _, lab := range labtest.Labs {
		points := 0
		for _, test := range labtest.Suite {
			if test.Lab == lab.Number {
				points += test.Points
			}
		}
		id := fmt.Sprintf("lab%d", lab.Number)
		assert.Contains(t, w, "        id: "+id+"\n")
		assert.Contains(t, w, "          command: ./grade.sh "+id+"\n")
		assert.Contains(t, w, fmt.Sprintf("          max-score: %d\n", points))
		assert.Contains(t, w, "          "+strings.ToUpper(id)+"_RESULTS: \"${{ steps."+id+".outputs.result }}\"\n")
	}
	assert.NotContains(t, w, "\t", "YAML has no tabs")
}
