package labtest

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFuzzFindsAndReplays runs go test -fuzz on the lab 1 skeleton, in a
// copy of the course: the first schedule fails, go test saves it, and
// rerunning the saved input fails the same way.
func TestFuzzFindsAndReplays(t *testing.T) {
	if testing.Short() {
		t.Skip("builds lab 1 for the fuzzer (a minute); skipped with -short")
	}
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	course := t.TempDir()
	require.NoError(t, copyCourse(root, course))
	dir := filepath.Join(course, "lab1-election")

	fuzz := exec.Command("go", "test", "-run", "^$", "-fuzz", "^FuzzManyElectionsLab1$", "-fuzztime", "60s", "-parallel", "1")
	fuzz.Dir = dir
	out, err := fuzz.CombinedOutput()
	require.Error(t, err, "the skeleton elects no leader, so the fuzzer finds a failing schedule:\n%s", out)
	m := regexp.MustCompile(`testdata/fuzz/FuzzManyElectionsLab1/([0-9a-f]+)`).FindStringSubmatch(string(out))
	require.NotNil(t, m, "go test saves the failing input:\n%s", out)
	assert.Contains(t, string(out), "no leader")

	rerun := exec.Command("go", "test", "-run", "^FuzzManyElectionsLab1$/^"+m[1]+"$")
	rerun.Dir = dir
	out, err = rerun.CombinedOutput()
	require.Error(t, err, "the saved input fails again:\n%s", out)
	assert.Contains(t, string(out), "no leader")
	assert.Contains(t, string(out), "rerun: cd lab1-election && go test -run '^FuzzManyElectionsLab1$/^"+m[1]+"$'")
}

// copyCourse copies the course's files at root to dst, without .git.
func copyCourse(root, dst string) error {
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") && rel != "." || d.Name() == "testdata" && strings.HasPrefix(rel, "lab") {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
}
