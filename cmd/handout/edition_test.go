package main

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"raftlabs/labtest"
)

// maxCodeLines is the longest Go code block the discovery edition of a
// handout may keep: a line of labdebug or a command, not a design.
const maxCodeLines = 5

// testName is how a handout names a test of the suite.
var testName = regexp.MustCompile(`\bTest\w+Lab\d\b`)

// givenAway returns what in the handout doc gives a design away that the
// discovery edition leaves out: a marker of such a block, a Go code block
// longer than maxCodeLines, or a table whose header names rules and whose
// rows name tests. It looks at the content as well as the markers, so that
// a worked design whose marker was forgotten is found too.
func givenAway(doc string) []string {
	var found []string
	lines := strings.Split(doc, "\n")
	for i := 0; i < len(lines); i++ {
		line := strings.TrimSpace(lines[i])
		switch {
		case line == workedDesign.begin || line == workedDesign.end || line == ruleToTest.begin || line == ruleToTest.end:
			found = append(found, fmt.Sprintf("line %d: the marker %s", i+1, line))
		case strings.HasPrefix(line, "<summary>The worked design"):
			found = append(found, fmt.Sprintf("line %d: a worked design, %s", i+1, line))
		case line == "```go":
			end := i + 1
			for end < len(lines) && strings.TrimSpace(lines[end]) != "```" {
				end++
			}
			if n := end - i - 1; n > maxCodeLines {
				found = append(found, fmt.Sprintf("line %d: a Go code block of %d lines (at most %d)", i+1, n, maxCodeLines))
			}
			i = end
		case strings.HasPrefix(line, "|"):
			end := i
			for end < len(lines) && strings.HasPrefix(strings.TrimSpace(lines[end]), "|") {
				end++
			}
			header := strings.ToLower(line)
			if strings.Contains(header, "rule") && testName.MatchString(strings.Join(lines[i+1:end], "\n")) {
				found = append(found, fmt.Sprintf("line %d: a table of which test catches which rule, %s", i+1, line))
			}
			i = end - 1
		}
	}
	return found
}

// TestDiscoveryEditionGivesNoDesignAway writes the students' copy in both
// editions and checks each lab's handout: the discovery edition has no
// worked design and no table of which test catches which rule left, by
// their markers and by their content, and keeps the layers before them;
// the full edition has them all. Everything but the Markdown files is the
// same in both, and the labs build in the discovery edition's copy.
func TestDiscoveryEditionGivesNoDesignAway(t *testing.T) {
	root := courseRoot(t)
	full := filepath.Join(t.TempDir(), "full")
	discovery := filepath.Join(t.TempDir(), "discovery")
	require.NoError(t, handout(root, full, false, false))
	require.NoError(t, handoutEdition(root, discovery, false, false, discoveryEdition))

	labs := labtest.LabsIn(root)
	require.NotEmpty(t, labs)
	for _, lab := range labs {
		name := filepath.Join("docs", lab.Dir+".md")
		fullDoc, err := os.ReadFile(filepath.Join(full, name))
		require.NoError(t, err)
		doc, err := os.ReadFile(filepath.Join(discovery, name))
		require.NoError(t, err)

		assert.NotEmpty(t, givenAway(string(fullDoc)), "%s: the full edition has worked designs", name)
		assert.Contains(t, string(fullDoc), workedDesign.begin, name)
		assert.Empty(t, givenAway(string(doc)), "%s: the discovery edition gives these away", name)
		assert.Contains(t, string(doc), "<summary>A nudge</summary>", "%s: the nudges stay", name)
		assert.Contains(t, string(doc), "<summary>A sharper hint</summary>", "%s: the sharper hints stay", name)
		assert.Equal(t, strings.Count(string(doc), "<details>"), strings.Count(string(doc), "</details>"),
			"%s: every layer left is closed", name)
		assert.Contains(t, string(doc), "## The tests", "%s: what the tests check stays", name)
	}

	// Only the Markdown differs between the editions.
	var mdChanged int
	err := filepath.WalkDir(full, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(full, path)
		if err != nil {
			return err
		}
		a, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(filepath.Join(discovery, rel))
		if !assert.NoError(t, err, "%s is in the full edition only", rel) {
			return nil
		}
		if !bytes.Equal(a, b) {
			if assert.True(t, strings.HasSuffix(rel, ".md"), "%s differs between the editions", rel) {
				mdChanged++
			}
		}
		return nil
	})
	require.NoError(t, err)
	assert.GreaterOrEqual(t, mdChanged, len(labs), "each lab's handout differs")

	if testing.Short() {
		return
	}
	// The same labs are gradable: their folders build, tests included.
	var pkgs []string
	for _, lab := range labs {
		pkgs = append(pkgs, "./"+lab.Dir)
	}
	cmd := exec.Command("go", append([]string{"vet"}, pkgs...)...)
	cmd.Dir = discovery
	out, err := cmd.CombinedOutput()
	assert.NoError(t, err, "go vet %s in the discovery edition's copy:\n%s", strings.Join(pkgs, " "), out)
}

func TestGivenAway(t *testing.T) {
	code := "```go\n" + strings.Repeat("x := 1\n", maxCodeLines+1) + "```\n"
	table := "| rule | fails when you break it |\n|---|---|\n| one vote per term | `TestManyElectionsLab1` |\n"
	for name, doc := range map[string]string{
		"a marker":                    "text\n" + workedDesign.begin + "\n",
		"a worked design's summary":   "<details>\n<summary>The worked design</summary>\n\nhow\n\n</details>\n",
		"a long Go block":             code,
		"a rule-to-test table":        table,
		"an end marker left alone":    ruleToTest.end + "\n",
		"a table with rules in prose": "| rule | which test |\n|---|---|\n| rule 1 | TestBackupLab2 |\n",
	} {
		assert.NotEmpty(t, givenAway(doc), name)
	}
	for name, doc := range map[string]string{
		"a nudge":            "<details>\n<summary>A nudge</summary>\n\nwhat if?\n\n</details>\n",
		"a short Go block":   "```go\nlabdebug.Printf(rf.me, labdebug.Vote, \"granted\")\n```\n",
		"the tests' table":   "| test | what it checks | points |\n|---|---|---|\n| `TestBackupLab2` | backing up | 10 |\n",
		"a table of budgets": "| field | persist after | because |\n|---|---|---|\n| `currentTerm` | a change | a rule |\n",
	} {
		assert.Empty(t, givenAway(doc), name)
	}
}

func TestEditionFlag(t *testing.T) {
	var stdout, stderr bytes.Buffer
	assert.Equal(t, 2, run([]string{"-edition", "answers", t.TempDir()}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), `no edition "answers": the editions are full`)

	e, err := parseEdition("discovery")
	require.NoError(t, err)
	assert.Equal(t, discoveryEdition, e)
	assert.Equal(t, []markedBlock{workedDesign, ruleToTest}, e.leftOut())
	assert.Empty(t, fullEdition.leftOut())
}

func TestFilterMarkdownLeavesOutAnEditionsBlocks(t *testing.T) {
	src := "# Lab\n\n" + workedDesign.begin + "\n<details>\n<summary>The worked design</summary>\n\n" +
		blockBegin + "\nnot in the handout, inside\n" + blockEnd + "\nthe design\n\n</details>\n" + workedDesign.end +
		"\n\nafter\n"
	assert.Equal(t, "# Lab\n\n\nafter\n", string(filterMarkdown([]byte(src), false, workedDesign, ruleToTest)))
	assert.Equal(t, strings.Replace(src, blockBegin+"\nnot in the handout, inside\n"+blockEnd+"\n", "", 1),
		string(filterMarkdown([]byte(src), false)), "the full edition keeps the worked design")
}
