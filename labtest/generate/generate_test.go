package generate

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"raftlabs/labtest"
)

func TestLabFoldersMatchTheSuite(t *testing.T) {
	for _, lab := range labtest.Labs {
		got, err := os.ReadFile(filepath.Join("../..", lab.Dir, "suite_test.go"))
		require.NoError(t, err)
		assert.Equal(t, string(SuiteFile(lab.Number)), string(got),
			"%s/suite_test.go is out of date: run go run ./cmd/labgen", lab.Dir)
	}
}

func TestHandoutTablesMatchTheSuite(t *testing.T) {
	docs, err := SuiteDocs("../..")
	require.NoError(t, err)
	for _, lab := range labtest.Labs {
		path := filepath.Join("../..", "docs", lab.Dir+".md")
		doc, err := os.ReadFile(path)
		require.NoError(t, err)
		want, err := WithTestTable(string(doc), TestTable(lab.Number, docs))
		require.NoError(t, err)
		assert.Equal(t, want, string(doc), "the table of tests in docs/%s.md is out of date: run go run ./cmd/labgen", lab.Dir)
	}
}

func TestTestTableTakesTheScenariosDocs(t *testing.T) {
	table := TestTable(1, map[string]string{"ReElection": "ReElection checks that a leader | is elected.\nPaper §5.2.\n"})
	assert.Contains(t, table, "| `TestReElectionLab1` | Checks that a leader \\| is elected. Paper §5.2. | 15 |\n")
}

func TestFuzzFileBindsEachTarget(t *testing.T) {
	src := string(FuzzFile(2))
	assert.Regexp(t, `func FuzzFigure8Lab2\(f \*testing.F\) +\{ labtest.Fuzz\(f, labtest.Figure8, Make\) \}`, src)
	assert.Contains(t, src, "FuzzManyElectionsLab1", "a folder has the earlier labs' targets")
	assert.NotContains(t, src, "Lab3")
}

func TestLabFoldersHaveTheirFuzzTargets(t *testing.T) {
	for _, lab := range labtest.LabsIn("../..") {
		got, err := os.ReadFile(filepath.Join("../..", lab.Dir, "fuzz_test.go"))
		require.NoError(t, err)
		assert.Equal(t, string(FuzzFile(lab.Number)), string(got), "%s/fuzz_test.go is out of date: go run ./cmd/labgen", lab.Dir)
	}
}
