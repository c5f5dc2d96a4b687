package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"raftlabs/grading"
	"raftlabs/labtest"
)

// gradeClass grades every submission folder in cfg.class, cfg.jobs at a
// time, each as --submission grades one: in its own fresh copy of the
// course (which leaves out the class's folder and cfg.out), one process per
// test run. As each student finishes it rewrites grades.csv and grades.json
// in cfg.out (class-grades by default) with every student graded so far,
// and keeps each student's whole output, with every failed run's verdict and output, in
// logs/STUDENT.txt there, and failed runs' traces in traces/STUDENT/ there
// (or STUDENT/ in --traces; none with RAFTLABS_TRACE=off). Run again with
// the same settings, it grades only the students grades.json does not
// already have (or whose submission changed). An interrupt (ctx ending:
// main ends it on SIGINT or SIGTERM) stops the grading: the students being
// graded are left out of the reports, the temporary copies are removed,
// and the same command resumes. A submission that does not compile,
// panics, hangs or busy-loops costs only its own grade. It returns
// exitFullMarks when every submission has full marks.
func gradeClass(ctx context.Context, cfg config, root string, stdout, stderr io.Writer) (int, error) {
	out := cfg.out
	if out == "" {
		out = "class-grades"
	}
	class, err := filepath.Abs(cfg.class)
	if err != nil {
		return exitUsage, err
	}
	if out, err = filepath.Abs(out); err != nil {
		return exitUsage, err
	}
	students, err := submissions(class, out)
	if err != nil {
		return exitUsage, err
	}
	if err := os.MkdirAll(filepath.Join(out, "logs"), 0o755); err != nil {
		return exitUsage, err
	}
	// The students' copies of the course and their builds live in one
	// folder of the output's, so that a run killed outright leaves them
	// where the next run clears them.
	work := filepath.Join(out, ".work")
	if err := os.RemoveAll(work); err != nil {
		return exitUsage, err
	}
	if err := os.MkdirAll(work, 0o755); err != nil {
		return exitUsage, err
	}
	defer os.RemoveAll(work)
	// The class's builds go to a build cache of its own, kept across an
	// interrupt and removed at the end: each student's builds add about
	// 10 MB to a build cache, which go would keep for days.
	cache := filepath.Join(out, ".gocache")
	if !cfg.sharedCache {
		restore := setenv("GOCACHE", cache)
		defer restore()
	}

	c := classReport{classSettings: settingsOf(cfg), Students: []studentGrade{}}
	csvPath, jsonPath := filepath.Join(out, "grades.csv"), filepath.Join(out, "grades.json")
	done := resumable(jsonPath, c.classSettings, class, students, stdout)
	for _, g := range done {
		c.Students = append(c.Students, g)
	}
	var todo []string
	for _, s := range students {
		if _, ok := done[s]; !ok {
			todo = append(todo, s)
		}
	}
	jobs := cfg.jobs
	// Each submission's tests run one at a time: the pool is of submissions.
	one := cfg
	one.class, one.out, one.jobs, one.verbose = "", "", 1, true
	fmt.Fprintf(stdout, "Grading %d submissions in %s, %d at a time, %d run(s) of each test.\n",
		len(todo), cfg.class, jobs, cfg.runs)
	if !cfg.sharedCache {
		fmt.Fprintf(stdout, "The builds use a cache of the class's own, %s, removed at the end (--shared-cache: go's own).\n", cache)
	}
	printPointsCheck(stdout)
	if !cfg.sharedCache {
		if err := warmCache(ctx, cfg, root, class, todo, work, stdout); err != nil {
			if ctx.Err() != nil {
				return exitStopped, err
			}
			return exitNotFull, err
		}
	}

	start := time.Now()
	save := func() error {
		c.Seconds = time.Since(start).Seconds()
		slices.SortFunc(c.Students, func(a, b studentGrade) int { return strings.Compare(a.Student, b.Student) })
		return errors.Join(writeClassCSV(csvPath, c.Students), writeFileAtomic(jsonPath, c))
	}
	if err := save(); err != nil { // the settings, and the grades kept
		return exitNotFull, err
	}
	queue := make(chan string)
	var mu sync.Mutex // guards stdout, c and saveErr
	var saveErr error
	var wg sync.WaitGroup
	for range jobs {
		wg.Go(func() {
			for student := range queue {
				g := gradeStudent(ctx, one, root, class, student, out, work)
				mu.Lock()
				if ctx.Err() == nil { // else cut short: graded again on resuming
					c.Students = append(c.Students, g)
					saveErr = errors.Join(saveErr, save())
					fmt.Fprintf(stdout, "[%d/%d] %s\n", len(c.Students), len(students), g.summary())
				}
				mu.Unlock()
			}
		})
	}
send:
	for _, s := range todo {
		select {
		case queue <- s:
		case <-ctx.Done():
			break send
		}
	}
	close(queue)
	wg.Wait()
	if saveErr != nil {
		return exitNotFull, saveErr
	}
	if ctx.Err() != nil {
		return exitStopped, fmt.Errorf("interrupted: %d of %d submissions graded, kept in %s and %s; "+
			"run the same command again to grade the rest", len(c.Students), len(students), csvPath, jsonPath)
	}
	if !cfg.sharedCache {
		if err := os.RemoveAll(cache); err != nil {
			return exitNotFull, err
		}
	}
	fmt.Fprintf(stdout, "Graded %d submissions in %.0fs: %s, %s, and each student's output in %s.\n",
		len(todo), c.Seconds, csvPath, jsonPath, filepath.Join(out, "logs"))
	for _, g := range c.Students {
		if g.Error != "" || g.Score < g.MaxScore {
			return exitNotFull, nil
		}
	}
	return exitFullMarks, nil
}

// warmTimeout bounds the class's first, cold build of a lab: the standard
// library and the course's packages, on a machine that may be busy.
const warmTimeout = 30 * time.Minute

// warmCache builds, before any student is graded, the course's own code of
// every lab the class will build (labsToWarm), into the class's build cache
// (GOCACHE, set by the caller). The cold build (the standard library, the
// course's packages) is then paid once, under no student's build time
// limit, rather than by the first students, each within buildTimeout: on a
// busy machine two cold builds at once took longer than that, and a correct
// submission scored 0 in lab 1 for it.
func warmCache(ctx context.Context, cfg config, root, class string, todo []string, work string, stdout io.Writer) error {
	labs := labsToWarm(cfg, class, todo)
	if len(labs) == 0 {
		return nil
	}
	dir, err := os.MkdirTemp(work, "warm-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	start := time.Now()
	for _, lab := range labs {
		fmt.Fprintf(stdout, "Warming the class's build cache: building %s as the course has it...\n", lab.Dir)
		_, err := grading.Build(root, lab, grading.Source{}, grading.BuildOptions{Dir: dir, Race: cfg.race, Timeout: warmTimeout, Context: ctx})
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted while warming the class's build cache; run the same command again")
		}
		if err != nil {
			return fmt.Errorf("the course's own %s does not build, so no submission can be graded: %v", lab.Dir, err)
		}
	}
	fmt.Fprintf(stdout, "The cache is warm (%.0fs).\n", time.Since(start).Seconds())
	return nil
}

// labsToWarm returns the labs a class run will build: those it was asked
// for, or else every lab that one of the submissions todo (folders of class)
// has.
func labsToWarm(cfg config, class string, todo []string) []labtest.Lab {
	if len(todo) == 0 {
		return nil
	}
	if len(cfg.labs) > 0 {
		return cfg.labs
	}
	has := map[int]bool{}
	for _, student := range todo {
		for _, lab := range labtest.LabsIn(filepath.Join(class, student)) {
			has[lab.Number] = true
		}
	}
	var labs []labtest.Lab
	for _, lab := range labtest.Labs {
		if has[lab.Number] {
			labs = append(labs, lab)
		}
	}
	return labs
}

// setenv sets the environment variable key to value and returns what
// puts back its value before.
func setenv(key, value string) (restore func()) {
	old, had := os.LookupEnv(key)
	os.Setenv(key, value)
	return func() {
		if had {
			os.Setenv(key, old)
		} else {
			os.Unsetenv(key)
		}
	}
}

// classSettings are what a class's grades depend on besides the
// submissions and the course: a run with other settings grades every
// student again.
type classSettings struct {
	Runs     int      `json:"runs"`
	Race     bool     `json:"race"`
	Realtime bool     `json:"realtime"`
	Timeout  string   `json:"timeout"`
	Labs     []string `json:"labs"`          // the labs asked for; none: every lab a submission has
	Only     string   `json:"run,omitempty"` // --run
	// Suite is every test's name and points, so that a reweighted suite
	// grades every student again.
	Suite string `json:"suite"`
}

func settingsOf(cfg config) classSettings {
	s := classSettings{Runs: cfg.runs, Race: cfg.race, Realtime: cfg.realtime, Timeout: cfg.timeout.String(), Labs: []string{}}
	for _, lab := range cfg.labs {
		s.Labs = append(s.Labs, lab.Dir)
	}
	if cfg.only != nil {
		s.Only = cfg.only.String()
	}
	h := sha256.New()
	for _, lab := range labtest.Labs {
		for _, t := range labtest.TestsUpTo(lab.Number) {
			fmt.Fprintf(h, "%s %d %d\n", t.Name(), lab.Number, t.Points)
		}
	}
	s.Suite = hex.EncodeToString(h.Sum(nil))[:16]
	return s
}

// resumable returns the grades in the grades.json at path that a run with
// settings need not redo: those of students still in the class whose
// submissions have not changed, graded with the same settings. It says
// what it keeps.
func resumable(path string, settings classSettings, class string, students []string, stdout io.Writer) map[string]studentGrade {
	kept := map[string]studentGrade{}
	data, err := os.ReadFile(path)
	if err != nil {
		return kept
	}
	var prev classReport
	if err := json.Unmarshal(data, &prev); err != nil {
		fmt.Fprintf(stdout, "%s cannot be read (%v): grading every submission.\n", path, err)
		return kept
	}
	if !reflect.DeepEqual(prev.classSettings, settings) {
		fmt.Fprintf(stdout, "%s holds grades made with other settings (runs, labs, --race, --realtime, "+
			"--timeout, --run or the tests' points): grading every submission again.\n", path)
		return kept
	}
	for _, g := range prev.Students {
		if g.Error == "" && !buildStopped(g) && slices.Contains(students, g.Student) &&
			g.Submission == fingerprint(filepath.Join(class, g.Student)) {
			kept[g.Student] = g
		}
	}
	if len(kept) > 0 {
		fmt.Fprintf(stdout, "Resuming: %d of %d submissions are already graded, with the same settings, in %s "+
			"(delete it to grade them all again).\n", len(kept), len(students), path)
	}
	return kept
}

// buildStopped reports whether one of g's builds was ended from outside
// (grading.StoppedFromOutside), which is not the student's doing.
func buildStopped(g studentGrade) bool {
	for _, l := range g.Labs {
		if strings.Contains(l.BuildError, grading.StoppedFromOutside) {
			return true
		}
	}
	return false
}

// fingerprint is a hash of the files in a submission's folder, to tell
// whether it changed since it was graded.
func fingerprint(dir string) string {
	h := sha256.New()
	_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return nil
		}
		rel, _ := filepath.Rel(dir, path)
		fmt.Fprintf(h, "%s %d\n", filepath.ToSlash(rel), len(data))
		h.Write(data)
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// writeFileAtomic writes v as indented JSON to path through a temporary
// file, so that an interrupt leaves the old file or the new one, whole.
func writeFileAtomic(path string, v any) error {
	tmp := path + ".tmp"
	if err := writeJSON(tmp, v); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// submissions returns the names of the folders in dir, sorted: one
// submission each, named for its student. Hidden folders, and the output
// folder out if it lies there, are left out.
func submissions(dir, out string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("--class: %v", err)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() && !strings.HasPrefix(e.Name(), ".") && filepath.Join(dir, e.Name()) != out {
			names = append(names, e.Name())
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("--class %s has no submission folders: it should hold one folder per student", dir)
	}
	sort.Strings(names)
	return names, nil
}

// gradeStudent grades one submission, writing its output to out/logs and
// failed runs' traces to out/traces, with its copy of the course and its
// builds in work, and returns its grade. A failure of the grader itself
// (it should not happen, since student code runs only in test processes)
// is the student's Error, not the class's end.
func gradeStudent(ctx context.Context, cfg config, root, class, student, out, work string) (grade studentGrade) {
	start := time.Now()
	if ctx.Err() != nil {
		return studentGrade{Student: student, Error: "interrupted"}
	}
	cfg.submission = filepath.Join(class, student)
	grade = studentGrade{Student: student, Labs: []reportLab{}, Submission: fingerprint(cfg.submission)}
	logPath := filepath.Join(out, "logs", student+".txt")
	grade.Log = logPath
	log, err := os.Create(logPath)
	if err != nil {
		grade.Error = err.Error()
		return grade
	}
	defer log.Close()
	defer func() {
		if p := recover(); p != nil {
			grade.Error = fmt.Sprintf("the grader failed: %v", p)
			fmt.Fprintf(log, "grade: %s\n%s", grade.Error, debug.Stack())
		}
		grade.Seconds = time.Since(start).Seconds()
	}()

	// The student's traces: in OUT/traces/STUDENT, or STUDENT in the
	// folder --traces names; none with RAFTLABS_TRACE=off.
	base := cfg.traces
	if base == "" {
		base = filepath.Join(out, "traces")
	}
	cfg.traces = filepath.Join(base, student)
	if err := os.RemoveAll(cfg.traces); err != nil { // an earlier, interrupted run's
		grade.Error = err.Error()
		return grade
	}
	var env []string
	if strings.EqualFold(os.Getenv("RAFTLABS_TRACE"), "off") {
		env = append(env, "RAFTLABS_TRACE=off")
	}
	g := &grader{cfg: cfg, defaults: classDefaults{Runs: cfg.runs}, root: root, out: log,
		progress: &progress{w: log},
		ctx:      ctx, tmp: work, exclude: []string{class, out}, env: env}
	scores, err := g.grade()
	if err != nil {
		grade.Error = err.Error()
		fmt.Fprintf(log, "grade: %v\n", err)
		return grade
	}
	r := newReport(cfg, scores)
	grade.Labs, grade.Score, grade.MaxScore = r.Labs, r.Score, r.MaxScore
	return grade
}

// classReport is grades.json: the settings, and every student's grade.
type classReport struct {
	classSettings
	Seconds  float64        `json:"seconds"` // this run's wall time
	Students []studentGrade `json:"students"`
}

// studentGrade is one submission's grade: each lab as --json reports it.
type studentGrade struct {
	Student  string  `json:"student"`
	Score    int     `json:"score"`
	MaxScore int     `json:"max_score"`
	Seconds  float64 `json:"seconds"`
	Error    string  `json:"error,omitempty"` // the submission could not be graded at all
	Log      string  `json:"log"`
	// Submission is a hash of the submission's files when it was graded.
	Submission string      `json:"submission"`
	Labs       []reportLab `json:"labs"`
}

// summary is the line the class's progress shows for a graded student.
func (g studentGrade) summary() string {
	if g.Error != "" {
		return fmt.Sprintf("%s: not graded: %s", g.Student, firstLine(g.Error))
	}
	var labs []string
	for _, l := range g.Labs {
		s := fmt.Sprintf("lab%d %d/%d", l.Lab, l.Score, l.MaxScore)
		switch {
		case l.Rejected != "":
			s += " (rejected)"
		case strings.Contains(l.BuildError, grading.StoppedFromOutside):
			s += " (the build was stopped from outside: graded again on resuming)"
		case l.BuildError != "":
			s += " (does not compile)"
		case len(flakyTests(l)) > 0:
			s += fmt.Sprintf(" (%d flaky)", len(flakyTests(l)))
		}
		labs = append(labs, s)
	}
	return fmt.Sprintf("%s: %s  %.0fs", g.Student, strings.Join(labs, ", "), g.Seconds)
}

// flakyTests returns the names of a lab's tests that passed some runs and
// failed others.
func flakyTests(l reportLab) []string {
	var names []string
	for _, t := range l.Tests {
		if t.Flaky {
			names = append(names, t.Name)
		}
	}
	return names
}

// failedTests returns the names of a lab's tests that failed some run.
func failedTests(l reportLab) []string {
	var names []string
	for _, t := range l.Tests {
		if t.Passes < t.Runs {
			names = append(names, t.Name)
		}
	}
	return names
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return line
}
