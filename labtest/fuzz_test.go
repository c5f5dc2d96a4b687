package labtest

import (
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestScheduleBytesDecideTheDraws(t *testing.T) {
	r := rand.New(newSchedule([]byte{0, 255, 26, 128, 6}))
	assert.Less(t, r.Float64(), 1.0/256, "byte 0: a draw under 0.1, a dropped call")
	assert.GreaterOrEqual(t, r.Float64(), 255.0/256)
	assert.InDelta(t, 26.0/256, r.Float64(), 1.0/256)
	assert.Equal(t, 1, r.IntN(3), "byte 128 of 256: the middle of IntN's range")
	assert.Equal(t, 2, r.IntN(4), "a power of two: byte 6 mod 4")
}

func TestScheduleGoesOnFromItsHash(t *testing.T) {
	draws := func(input string) []uint64 {
		s := newSchedule([]byte(input))
		var out []uint64
		for range 10 {
			out = append(out, s.Uint64())
		}
		return out
	}
	assert.Equal(t, draws("ab"), draws("ab"), "the same input, the same draws, past its end")
	assert.NotEqual(t, draws("ab")[5:], draws("ac")[5:], "another input, other draws past its end")
	assert.NotZero(t, newSchedule(nil).seed, "the empty input has a seed too")
}

func TestFuzzFileBindsEachTarget(t *testing.T) {
	src := string(FuzzFile(2))
	assert.Regexp(t, `func FuzzFigure8Lab2\(f \*testing.F\) +\{ labtest.Fuzz\(f, labtest.Figure8, Make\) \}`, src)
	assert.Contains(t, src, "FuzzManyElectionsLab1", "a folder has the earlier labs' targets")
	assert.NotContains(t, src, "Lab3")
}

func TestLabFoldersHaveTheirFuzzTargets(t *testing.T) {
	for _, lab := range LabsIn("..") {
		got, err := os.ReadFile(filepath.Join("..", lab.Dir, "fuzz_test.go"))
		require.NoError(t, err)
		assert.Equal(t, string(FuzzFile(lab.Number)), string(got), "%s/fuzz_test.go is out of date: go run ./cmd/labgen", lab.Dir)
	}
}

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
