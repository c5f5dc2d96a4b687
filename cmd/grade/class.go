package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"
)

// gradeClass grades every submission folder in cfg.class, cfg.jobs at a
// time, each as --submission grades one: in its own fresh copy of the
// course, one process per test run. It writes grades.csv and grades.json to
// cfg.out (class-grades by default) and each student's whole output, with
// every failed run's output, to logs/STUDENT.txt there. A submission that
// does not compile, panics, hangs or busy-loops costs only its own grade.
// It returns exitFullMarks when every submission has full marks.
func gradeClass(cfg config, root string, stdout, stderr io.Writer) (int, error) {
	students, err := submissions(cfg.class)
	if err != nil {
		return exitUsage, err
	}
	out := cfg.out
	if out == "" {
		out = "class-grades"
	}
	if err := os.MkdirAll(filepath.Join(out, "logs"), 0o755); err != nil {
		return exitUsage, err
	}
	jobs := cfg.jobs
	// Each submission's tests run one at a time: the pool is of submissions.
	one := cfg
	one.class, one.out, one.jobs, one.verbose = "", "", 1, true
	fmt.Fprintf(stdout, "Grading %d submissions in %s, %d at a time, %d run(s) of each test.\n",
		len(students), cfg.class, jobs, cfg.runs)

	start := time.Now()
	grades := make([]studentGrade, len(students))
	queue := make(chan int)
	var mu sync.Mutex // guards stdout and done
	done := 0
	var wg sync.WaitGroup
	for range jobs {
		wg.Go(func() {
			for i := range queue {
				grades[i] = gradeStudent(one, root, cfg.class, students[i], filepath.Join(out, "logs"))
				mu.Lock()
				done++
				fmt.Fprintf(stdout, "[%d/%d] %s\n", done, len(students), grades[i].summary())
				mu.Unlock()
			}
		})
	}
	for i := range students {
		queue <- i
	}
	close(queue)
	wg.Wait()

	c := classReport{Runs: cfg.runs, Race: cfg.race, Realtime: cfg.realtime,
		Seconds: time.Since(start).Seconds(), Students: grades}
	csvPath, jsonPath := filepath.Join(out, "grades.csv"), filepath.Join(out, "grades.json")
	if err := writeClassCSV(csvPath, grades); err != nil {
		return exitNotFull, err
	}
	if err := writeJSON(jsonPath, c); err != nil {
		return exitNotFull, err
	}
	fmt.Fprintf(stdout, "Graded %d submissions in %.0fs: %s, %s, and each student's output in %s.\n",
		len(students), c.Seconds, csvPath, jsonPath, filepath.Join(out, "logs"))
	for _, g := range grades {
		if g.Error != "" || g.Score < g.MaxScore {
			return exitNotFull, nil
		}
	}
	return exitFullMarks, nil
}

// submissions returns the names of the folders in dir, sorted: one
// submission each, named for its student. Hidden folders are left out.
func submissions(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("--class: %v", err)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
			names = append(names, e.Name())
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("--class %s has no submission folders: it should hold one folder per student", dir)
	}
	sort.Strings(names)
	return names, nil
}

// gradeStudent grades one submission, writing its output to logs, and
// returns its grade. A failure of the grader itself (it should not happen,
// since student code runs only in test processes) is the student's Error,
// not the class's end.
func gradeStudent(cfg config, root, class, student, logs string) (grade studentGrade) {
	start := time.Now()
	grade = studentGrade{Student: student, Labs: []reportLab{}}
	logPath := filepath.Join(logs, student+".txt")
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

	cfg.submission = filepath.Join(class, student)
	g := &grader{cfg: cfg, defaults: classDefaults{Runs: cfg.runs}, root: root, out: log,
		progress: &progress{w: log}}
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

// classReport is grades.json: every student's grade.
type classReport struct {
	Runs     int            `json:"runs"`
	Race     bool           `json:"race"`
	Realtime bool           `json:"realtime"`
	Seconds  float64        `json:"seconds"` // the whole class's wall time
	Students []studentGrade `json:"students"`
}

// studentGrade is one submission's grade: each lab as --json reports it.
type studentGrade struct {
	Student  string      `json:"student"`
	Score    int         `json:"score"`
	MaxScore int         `json:"max_score"`
	Seconds  float64     `json:"seconds"`
	Error    string      `json:"error,omitempty"` // the submission could not be graded at all
	Log      string      `json:"log"`
	Labs     []reportLab `json:"labs"`
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
