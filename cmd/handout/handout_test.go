package main

import (
	"archive/zip"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"raftlabs/classroom"
	"raftlabs/grading"
	"raftlabs/labtest"
)

func courseRoot(t *testing.T) string {
	t.Helper()
	root, err := grading.FindRoot(".")
	require.NoError(t, err)
	return root
}

// TestTheCopyHasNothingOfTheReference writes the students' copy as a git
// repository with the GitHub Classroom workflow and checks what is in it.
func TestTheCopyHasNothingOfTheReference(t *testing.T) {
	root := courseRoot(t)
	dst := filepath.Join(t.TempDir(), "raftlabs")
	require.NoError(t, handout(root, dst, true, true))

	for _, path := range []string{"solutions", "cmd/variants", "docs/variants.md", "docs/instructors.md", "docs/rules.md", "labtest/testdata", "kvtest/testdata",
		"cmd/grade/testdata", "cmd/handout", "classroom", "cmd/clockbench"} {
		assert.NoFileExists(t, filepath.Join(dst, path))
		assert.NoDirExists(t, filepath.Join(dst, path))
	}
	for _, path := range []string{"README.md", "grade.sh", "grade.conf", "go.mod", "raftapi", "labrpc", "labtest", "kvtest", "cmd/grade", "cmd/selftest"} {
		assert.FileExists(t, filepath.Join(dst, path, map[bool]string{true: "", false: "doc.go"}[strings.Contains(path, ".") || path == "grade.sh"]))
	}
	for _, pkg := range []string{"labtest", "kvtest", "grading", "cmd/grade"} {
		tests, err := filepath.Glob(filepath.Join(dst, pkg, "*_test.go"))
		require.NoError(t, err)
		assert.NotEmpty(t, tests, "the copy keeps the tests of %s that do not need the reference", pkg)
	}
	for _, lab := range labtest.LabsIn(root) {
		assert.FileExists(t, filepath.Join(dst, lab.Dir, "raft.go"))
		assert.FileExists(t, filepath.Join(dst, lab.Dir, "suite_test.go"))
	}
	info, err := os.Stat(filepath.Join(dst, "grade.sh"))
	require.NoError(t, err)
	assert.NotZero(t, info.Mode()&0o100, "grade.sh is executable")

	link := regexp.MustCompile(`\]\(([^)#:\s]+)[^)]*\)`)
	err = filepath.WalkDir(dst, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			if d != nil && d.Name() == ".git" {
				return filepath.SkipDir
			}
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dst, path)
		text := string(data)
		assert.NotContains(t, text, "package solutions", rel)
		assert.NotContains(t, text, "raftlabs/labtest/testdata", rel)
		if strings.HasSuffix(path, ".md") {
			for _, m := range link.FindAllStringSubmatch(text, -1) {
				assert.FileExists(t, filepath.Join(filepath.Dir(path), m[1]), "%s links to %s, which the copy does not have", rel, m[1])
			}
		}
		return nil
	})
	require.NoError(t, err)

	readme, err := os.ReadFile(filepath.Join(dst, "README.md"))
	require.NoError(t, err)
	assert.NotContains(t, string(readme), "solutions/")
	assert.NotContains(t, string(readme), "--reference")
	assert.NotContains(t, string(readme), blockBegin)
	assert.Contains(t, string(readme), "./grade.sh")
	assert.Contains(t, string(readme), "go run ./cmd/selftest")

	workflow, err := os.ReadFile(filepath.Join(dst, classroom.WorkflowPath))
	require.NoError(t, err)
	assert.Equal(t, string(classroom.Workflow(labtest.LabsIn(root))), string(workflow))

	out, err := exec.Command("git", "-C", dst, "log", "--oneline").CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Len(t, strings.Split(strings.TrimSpace(string(out)), "\n"), 1, "one commit")
	out, err = exec.Command("git", "-C", dst, "status", "--porcelain").CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Empty(t, string(out), "everything is committed")

	assert.Error(t, handout(root, dst, false, false), "a folder that is not empty")
	assert.Error(t, handout(root, filepath.Join(root, "handout-inside"), false, false), "a folder inside the course")
}

// TestTheCopyTakesOnlyTrackedFiles makes the copy and the Gradescope
// bundle of a small course whose folder also holds what an instructor
// keeps beside it (a class's submissions and grades, as docs/instructors.md
// names them, and a local build): only the files git tracks are copied.
// Outside a git checkout, or in one that does not track the course, the
// copy is refused, with the reason.
func TestTheCopyTakesOnlyTrackedFiles(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git here: the copy is made from the files git tracks")
	}
	course := t.TempDir()
	write := func(rel, text string) {
		t.Helper()
		path := filepath.Join(course, filepath.FromSlash(rel))
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
	}
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@localhost"}, args...)...)
		cmd.Dir = course
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s", out)
	}
	refused := func(why string) {
		t.Helper()
		dst := filepath.Join(t.TempDir(), "copy")
		err := handout(course, dst, false, false)
		require.Error(t, err)
		assert.Contains(t, err.Error(), why)
		assert.Contains(t, err.Error(), "git init && git add -A", "says how to make the folder a checkout of the course")
		assert.NoDirExists(t, dst)
	}

	write("README.md", "# Course\n")
	write("go.mod", "module raftlabs\n")
	write("lab1-election/raft.go", "package raft\n")
	write("docs/instructors.md", "# Running a class\n")
	refused("is not a git checkout")

	// A repository that tracks none of the course: git init, nothing added
	// (or an instructor's own repository with the course unpacked in it).
	git("init", "-q")
	refused("git does not track the course")

	git("add", "-A")
	git("commit", "-q", "-m", "course")
	write("submissions/alice/lab1-election/raft.go", "package raft // alice's\n")
	write("grades/grades.csv", "student,lab,score\nalice,lab1,100\n")
	write("grade", "a grader built with go build ./cmd/grade\n")
	write("notes.txt", "not added\n")

	want := []string{"README.md", "go.mod", "lab1-election/raft.go"}
	dst := filepath.Join(t.TempDir(), "copy")
	require.NoError(t, handout(course, dst, false, false))
	var got []string
	require.NoError(t, filepath.WalkDir(dst, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dst, path)
			got = append(got, filepath.ToSlash(rel))
		}
		return err
	}))
	assert.Equal(t, want, got)

	// The Gradescope bundle is the copy and its two scripts.
	bundle := filepath.Join(t.TempDir(), "autograder.zip")
	require.NoError(t, writeBundle(course, bundle, nil))
	zr, err := zip.OpenReader(bundle)
	require.NoError(t, err)
	defer zr.Close()
	got = nil
	for _, f := range zr.File {
		if !f.FileInfo().IsDir() {
			got = append(got, f.Name)
		}
	}
	assert.ElementsMatch(t, append(want, "setup.sh", "run_autograder"), got)
}

func TestFilterMarkdown(t *testing.T) {
	src := "# Course\n\n" + blockBegin + "\nThe reference is in solutions/.\n" + blockEnd + "\n\n```sh\n" +
		"./grade.sh              # grade\n./grade.sh --reference  # the reference\n```\n\nsolutions/ in prose stays.\n"
	assert.Equal(t, "# Course\n\n\n```sh\n./grade.sh              # grade\n```\n\nsolutions/ in prose stays.\n",
		string(filterMarkdown([]byte(src), true)))
	assert.Equal(t, strings.Replace(src, blockBegin+"\nThe reference is in solutions/.\n"+blockEnd+"\n", "", 1),
		string(filterMarkdown([]byte(src), false)), "code blocks are left alone outside the README")
}

// TestGradescopeBundleRunsLocally builds the bundle for lab 1, unpacks it
// as Gradescope does, checks setup.sh's syntax (running it builds the
// grader and every lab once, as an image build should, which is too slow
// for a test), then runs run_autograder against
// submissions in Gradescope's folder layout: lab 1's files uploaded on
// their own (the reference, as a student's package raft), and a submission
// with no Go code at all.
func TestGradescopeBundleRunsLocally(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the grader and grades lab 1 in an unpacked bundle")
	}
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh to run the scripts with")
	}
	root := courseRoot(t)
	if _, err := os.Stat(filepath.Join(root, "solutions")); err != nil {
		t.Skip("needs the reference solution")
	}
	ag := t.TempDir() // stands in for /autograder
	bundle := filepath.Join(t.TempDir(), "autograder.zip")
	lab := labtest.Labs[0]
	require.NoError(t, writeBundle(root, bundle, []labtest.Lab{lab}))
	unzip(t, bundle, filepath.Join(ag, "source"))
	for _, script := range []string{"setup.sh", "run_autograder"} {
		info, err := os.Stat(filepath.Join(ag, "source", script))
		require.NoError(t, err, "%s is at the zip's root", script)
		assert.NotZero(t, info.Mode()&0o100, "%s is executable", script)
	}
	assert.NoDirExists(t, filepath.Join(ag, "source", "solutions"))
	// One run of each test, to keep this test cheap: as an instructor sets it.
	require.NoError(t, os.WriteFile(filepath.Join(ag, "source", "grade.conf"), []byte("runs = 1\njobs = 2\n"), 0o644))

	// grade.sh keeps the grader it builds in XDG_CACHE_HOME; go's build
	// cache, by default under it too, stays where it is (a cold one
	// rebuilds the standard library).
	gocache, err := exec.Command("go", "env", "GOCACHE").Output()
	require.NoError(t, err)
	env := append(os.Environ(), "AUTOGRADER_ROOT="+ag, "XDG_CACHE_HOME="+t.TempDir(),
		"GOCACHE="+strings.TrimSpace(string(gocache)))
	script := func(name string) string {
		cmd := exec.Command(filepath.Join(ag, "source", name))
		cmd.Env = env
		cmd.Dir = ag
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s", out)
		return string(out)
	}
	syntax, err := exec.Command("sh", "-n", filepath.Join(ag, "source", "setup.sh")).CombinedOutput()
	require.NoError(t, err, "setup.sh: %s", syntax)

	// Lab 1's files uploaded on their own.
	submission := filepath.Join(ag, "submission")
	require.NoError(t, os.MkdirAll(submission, 0o755))
	entries, err := os.ReadDir(filepath.Join(root, "solutions"))
	require.NoError(t, err)
	for _, e := range entries {
		if labtest.IsStudentFile(e.Name()) {
			src, err := os.ReadFile(filepath.Join(root, "solutions", e.Name()))
			require.NoError(t, err)
			src = []byte(strings.Replace(string(src), "package solutions", "package raft", 1))
			require.NoError(t, os.WriteFile(filepath.Join(submission, e.Name()), src, 0o644))
		}
	}
	out := script("run_autograder")
	results := readResults(t, filepath.Join(ag, "results", "results.json"))
	assert.Equal(t, 100.0, results["score"], out)
	assert.Len(t, results["tests"], len(labtest.TestsUpTo(lab.Number)))

	// Nothing to grade.
	require.NoError(t, os.RemoveAll(submission))
	require.NoError(t, os.MkdirAll(submission, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(submission, "notes.txt"), []byte("forgot the code\n"), 0o644))
	out = script("run_autograder")
	results = readResults(t, filepath.Join(ag, "results", "results.json"))
	assert.Equal(t, 0.0, results["score"], out)
	assert.Contains(t, results["output"], "The submission could not be graded")
}

func readResults(t *testing.T, path string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(data, &m))
	return m
}

// unzip unpacks the zip file at path into dir, as Gradescope does.
func unzip(t *testing.T, path, dir string) {
	t.Helper()
	zr, err := zip.OpenReader(path)
	require.NoError(t, err)
	defer zr.Close()
	for _, f := range zr.File {
		target := filepath.Join(dir, filepath.FromSlash(f.Name))
		if f.FileInfo().IsDir() {
			require.NoError(t, os.MkdirAll(target, 0o755))
			continue
		}
		require.NoError(t, os.MkdirAll(filepath.Dir(target), 0o755))
		r, err := f.Open()
		require.NoError(t, err)
		data, err := io.ReadAll(r)
		r.Close()
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(target, data, f.Mode().Perm()))
	}
}

// TestTheCopyKeepsTheTestsItCanRun checks which of a package's test files
// the copy keeps: not one that needs the reference, nor one that uses a
// helper such a file declares (it would not build), but every other.
func TestTheCopyKeepsTheTestsItCanRun(t *testing.T) {
	course := t.TempDir()
	files := map[string]string{
		"pkg/ref_test.go":     "package pkg\n\nvar referenceDir = \"solutions\"\n\nfunc gradeTree(dir string) int { return len(dir) }\n",
		"pkg/uses_test.go":    "package pkg\n\nfunc useHelper() int { return gradeTree(\"x\") }\n",
		"pkg/chain_test.go":   "package pkg\n\nfunc chained() int { return useHelper() }\n",
		"pkg/own_test.go":     "package pkg\n\n// A comment may name gradeTree: only code counts.\nfunc ownHelper() int { return 1 }\n",
		"pkg/method_test.go":  "package pkg\n\ntype fake struct{}\n\nfunc (fake) Kill() {}\n",
		"pkg/other_test.go":   "package pkg\n\nfunc other() { var f fake; f.Kill(); _ = ownHelper() }\n",
		"other/ref_test.go":   "package other\n\nvar b = \"testdata\"\n\nfunc ownHelper() int { return 2 }\n",
		"pkg/pkg.go":          "package pkg\n",
		"labvet/x/x_test.go":  "package x\n",
		"solutions/r_test.go": "package solutions\n",
	}
	var rels []string
	for rel, text := range files {
		path := filepath.Join(course, filepath.FromSlash(rel))
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
		rels = append(rels, rel)
	}
	out, err := instructorTestFiles(course, rels)
	require.NoError(t, err)
	var got []string
	for rel := range out {
		got = append(got, rel)
	}
	assert.ElementsMatch(t, []string{"pkg/ref_test.go", "pkg/uses_test.go", "pkg/chain_test.go", "other/ref_test.go"}, got,
		"own_test.go's comment and other folders' names do not count")
}
