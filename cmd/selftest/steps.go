package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"raftlabs/grading"
	"raftlabs/labtest"
	"raftlabs/labtest/generate"
)

// steps returns the self-test's steps, in the order they run.
func (st *selftest) steps() []step {
	race := st.raceAvailable()
	testName := "go test -race (every package but the lab folders)"
	if !race {
		testName = "go test (every package but the lab folders; no -race: cgo is off here)"
	}
	refName := "the reference scores full marks in every lab folder, with -race"
	if !race || st.short {
		refName = "the reference scores full marks in every lab folder (without -race)"
	}
	if st.referenceRuns > 1 {
		refName += fmt.Sprintf(", %d runs of each test", st.referenceRuns)
	}
	labs := st.labs()
	unitName := testName
	if st.short {
		unitName = "go test -short (every package but the lab folders; -short: no -race)"
	}
	return []step{
		{"gofmt -l (every Go file git tracks)", st.gofmt},
		{"go vet ./...", func() (string, error) { return st.goCommand("vet", "./...") }},
		{unitName, func() (string, error) { return st.unitTests(race && !st.short) }},
		{"the lab skeletons compile: go vet " + strings.Join(labPackages(labs), " "), func() (string, error) {
			return st.goCommand(append([]string{"vet"}, labPackages(labs)...)...)
		}},
		{"the lab folders' suite_test.go are generated from labtest.Suite", st.suitesCurrent},
		{refName, func() (string, error) { return st.reference(race && !st.short) }},
		{"the buggy variants fail their labs: go run ./cmd/variants -check", st.variants},
		{"the GitHub Classroom workflow passes actionlint (classroom/actionlint)", st.actionlint},
		{"the trace viewer's page in a headless Chromium (cmd/traceview/browsertest)", st.browser},
		{"the students' copy (go run ./cmd/handout): its README's commands, ./grade.sh lab1 and go run ./cmd/selftest", st.handout},
	}
}

// labs returns the labs whose folders the course has.
func (st *selftest) labs() []labtest.Lab { return labtest.LabsIn(st.root) }

func labPackages(labs []labtest.Lab) []string {
	var pkgs []string
	for _, lab := range labs {
		pkgs = append(pkgs, "./"+lab.Dir)
	}
	return pkgs
}

// raceAvailable reports whether the race detector can be used: it needs cgo.
func (st *selftest) raceAvailable() bool {
	out, err := st.goCommand("env", "CGO_ENABLED")
	return err == nil && strings.TrimSpace(out) == "1"
}

// gofmt checks that gofmt would change none of the Go files git tracks.
func (st *selftest) gofmt() (string, error) {
	files, note, err := st.trackedGoFiles()
	if err != nil {
		return "", err
	}
	out, err := st.command(st.gofmtPath(), append([]string{"-l"}, files...)...)
	if err != nil {
		return out, err
	}
	if out = strings.TrimSpace(out); out != "" {
		return note + out, errors.New("these files are not gofmt-formatted: run gofmt -w on them")
	}
	return "", nil
}

// trackedGoFiles returns the Go files git tracks, or, outside a git
// checkout, every Go file under the root (and a note that says so).
func (st *selftest) trackedGoFiles() (files []string, note string, err error) {
	out, gitErr := st.command("git", "ls-files", "-z", "--", "*.go")
	if gitErr == nil {
		for _, f := range strings.Split(out, "\x00") {
			if f != "" && fileExists(filepath.Join(st.root, f)) { // a deleted file is still tracked
				files = append(files, f)
			}
		}
		return files, "", nil
	}
	err = filepath.WalkDir(st.root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != st.root && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".go") {
			rel, _ := filepath.Rel(st.root, path)
			files = append(files, rel)
		}
		return nil
	})
	return files, "(not a git checkout: checked every .go file)\n", err
}

// gofmtPath returns the gofmt of the go command's own Go installation.
func (st *selftest) gofmtPath() string {
	out, err := st.goCommand("env", "GOROOT")
	if err == nil {
		path := filepath.Join(strings.TrimSpace(out), "bin", "gofmt")
		if fileExists(path) {
			return path
		}
	}
	return "gofmt"
}

// packageTimeout is go test's limit for each package's tests, and
// unitTestsTimeout the self-test's for the whole go test command. go test
// bounds each package itself; the command's own bound is the last resort,
// wider than commandTimeout because with -race the command takes 7 to 8
// minutes on an idle 2-core machine (cmd/grade and grading, which build
// and grade labs, are most of it) and took over 15 on one shared at a
// load average of 10.
const (
	packageTimeout   = 12 * time.Minute
	unitTestsTimeout = 2 * packageTimeout
)

// unitTests runs go test on every package but the lab folders.
func (st *selftest) unitTests(race bool) (string, error) {
	out, err := st.goCommand("list", "-f", "{{.ImportPath}}\t{{.Dir}}", "./...")
	if err != nil {
		return out, err
	}
	labDirs := map[string]bool{}
	for _, lab := range labtest.Labs {
		labDirs[filepath.Join(st.root, lab.Dir)] = true
	}
	args := []string{"test", "-count=1", "-timeout=" + packageTimeout.String()}
	if race {
		args = append(args, "-race")
	}
	if st.short {
		args = append(args, "-short")
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		pkg, dir, ok := strings.Cut(line, "\t")
		if ok && !labDirs[filepath.Clean(dir)] {
			args = append(args, pkg)
		}
	}
	return st.commandWithin(unitTestsTimeout, "go", args...)
}

// suitesCurrent checks each lab folder's suite_test.go against what
// cmd/labgen would write from labtest.Suite.
func (st *selftest) suitesCurrent() (string, error) {
	var stale []string
	for _, lab := range st.labs() {
		path := filepath.Join(lab.Dir, "suite_test.go")
		got, err := os.ReadFile(filepath.Join(st.root, path))
		if err != nil || !bytes.Equal(got, generate.SuiteFile(lab.Number)) {
			stale = append(stale, path)
		}
	}
	if len(stale) > 0 {
		return strings.Join(stale, "\n"), errors.New("out of date with labtest.Suite: run go run ./cmd/labgen")
	}
	return "", nil
}

// reference grades the reference solution in every lab folder, every test
// st.referenceRuns times, and fails unless every run passes.
func (st *selftest) reference(race bool) (string, error) {
	if !isDir(filepath.Join(st.root, "solutions")) {
		return noReference, errSkipped
	}
	work, err := os.MkdirTemp("", "raftlabs-selftest-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(work)
	var report []string
	failed := 0
	for _, lab := range st.labs() {
		bin, err := grading.Build(st.root, lab, grading.Source{Reference: true},
			grading.BuildOptions{Dir: work, Race: race, Timeout: commandTimeout})
		if err != nil {
			report = append(report, err.Error())
			failed++
			continue
		}
		tests := labtest.TestsUpTo(lab.Number)
		results := grading.RunTests(bin, filepath.Join(st.root, lab.Dir), tests, grading.BatchOptions{
			RunOptions: grading.RunOptions{Timeout: 3 * time.Minute},
			Runs:       st.referenceRuns,
			Jobs:       runtime.NumCPU(),
		})
		runs, passes := 0, 0
		for _, testRuns := range results {
			for _, r := range testRuns {
				runs++
				if r.Passed {
					passes++
					continue
				}
				failed++
				report = append(report, fmt.Sprintf("%s: %s failed with seed %d:\n%s",
					lab.Dir, r.Test.Name(), r.Seed, indent(r.Verdict, "  ")))
			}
		}
		report = append(report, fmt.Sprintf("%s: %d of %d runs passed", lab.Dir, passes, runs))
	}
	if failed > 0 {
		return strings.Join(report, "\n"), errors.New("the reference must pass every test of every lab")
	}
	return "", nil
}

// variants runs the known-buggy variants' check, once that command exists.
func (st *selftest) variants() (string, error) {
	if st.short {
		return "-short", errSkipped
	}
	if !isDir(filepath.Join(st.root, "solutions")) {
		return noReference, errSkipped
	}
	if !isDir(filepath.Join(st.root, "cmd", "variants")) {
		return "cmd/variants does not exist yet", errSkipped
	}
	return st.goCommand("run", "./cmd/variants", "-check")
}

// noReference is why the steps that need the reference are skipped in the
// students' copy of the course.
const noReference = "this is the students' copy of the course: it has no reference solution (solutions/)"

func isDir(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.IsDir()
}

func fileExists(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.Mode().IsRegular()
}
