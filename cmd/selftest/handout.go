package main

import (
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// handout writes the students' copy of the course with cmd/handout and
// runs, in it, the two commands its README gives: ./grade.sh (for one lab,
// lab 1, to keep this cheap), which must grade the skeleton, and
// go run ./cmd/selftest, in full as the README gives it, which must pass,
// skipping the steps that need the reference: the copy's unit tests with
// -race, which is what a student runs (about 140 s of CPU; docs/instructors.md
// has the measurement). It also checks that --reference says the reference
// is not there, and that nothing of the reference is in the copy.
func (st *selftest) handout() (string, error) {
	if st.short {
		return "-short", errSkipped
	}
	if !isDir(filepath.Join(st.root, "cmd", "handout")) {
		return "no cmd/handout here: this is already a students' copy", errSkipped
	}
	if out, err := st.command("git", "ls-files", "--", "go.mod"); err != nil || strings.TrimSpace(out) != "go.mod" {
		// cmd/handout refuses such a folder (it cannot tell the course's
		// files from the rest), so there is no copy to check.
		return "the course's folder is not a git checkout of the course, and the copy is made from the files git tracks", errSkipped
	}
	// The copy lives at a path fixed for this course's folder, so that the
	// build cache, which keys compiled packages by their folder, serves the
	// next self-test's copy, and so that two self-tests of two folders (two
	// checkouts on one machine) do not write over each other's copy.
	copyDir := filepath.Join(os.TempDir(), fmt.Sprintf("raftlabs-handout-selftest-%d-%x", os.Getuid(), crc32.ChecksumIEEE([]byte(st.root))))
	if err := os.RemoveAll(copyDir); err != nil {
		return "", err
	}
	defer os.RemoveAll(copyDir)
	if out, err := st.goCommand("run", "./cmd/handout", copyDir); err != nil {
		return out, err
	}
	var report []string
	if leak := revealing(copyDir); leak != "" {
		return leak, errors.New("the students' copy gives the reference away")
	}

	out, err := st.commandIn(copyDir, "./grade.sh", "lab1")
	report = append(report, "$ ./grade.sh lab1", lastLines(strings.TrimSpace(out), 6))
	if !regexp.MustCompile(`(?m)^lab1 total: \d+/\d+$`).MatchString(out) {
		return strings.Join(report, "\n"), fmt.Errorf("./grade.sh lab1 in the students' copy did not grade the skeleton: %v", err)
	}

	out, err = st.commandIn(copyDir, "./grade.sh", "--reference", "lab1")
	if err == nil || !strings.Contains(out, "has no reference solution") {
		return out, errors.New("./grade.sh --reference in the students' copy does not say that the reference is not there")
	}

	out, err = st.commandIn(copyDir, "go", "run", "./cmd/selftest")
	report = append(report, "$ go run ./cmd/selftest", strings.TrimSpace(out))
	if err != nil {
		return strings.Join(report, "\n"), fmt.Errorf("go run ./cmd/selftest fails in the students' copy: %v", err)
	}
	return "", nil
}

// revealing returns what in the copy at dir gives the reference away: the
// folders that hold it or its variants, test Rafts, a test that needs them.
func revealing(dir string) string {
	var found []string
	for _, path := range []string{"solutions", "cmd/variants", "docs/variants.md", "docs/instructors.md", "labtest/testdata"} {
		if _, err := os.Stat(filepath.Join(dir, path)); err == nil {
			found = append(found, path)
		}
	}
	if dirs, _ := filepath.Glob(filepath.Join(dir, "cmd", "*", "testdata")); len(dirs) > 0 {
		found = append(found, dirs...)
	}
	return strings.Join(found, "\n")
}

// commandIn runs name with args in dir and returns its output.
func (st *selftest) commandIn(dir, name string, args ...string) (string, error) {
	sub := *st
	sub.root = dir
	return sub.command(name, args...)
}

// actionlint checks the GitHub Classroom workflow with actionlint, in the
// module of its own at classroom/actionlint. It is skipped, and says so,
// where that module cannot be had: actionlint is not on this machine and
// go cannot fetch it.
func (st *selftest) actionlint() (string, error) {
	dir := filepath.Join(st.root, "classroom", "actionlint")
	if !isDir(dir) {
		return "no classroom/actionlint here: this is a students' copy", errSkipped
	}
	if out, err := st.commandIn(dir, "go", "mod", "download"); err != nil {
		return "go could not fetch actionlint (no network, and not in the module cache): " + firstLine(out), errSkipped
	}
	return st.commandIn(dir, "go", "test", "-count=1", ".")
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return line
}
