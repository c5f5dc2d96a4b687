package main

import (
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"raftlabs/labtest"
)

// classColumns are grades.csv's first columns: one row per student and
// lab (one row with an empty lab for a submission that could not be
// graded). A column per test of labtest.Suite follows (testColumns).
var classColumns = []string{
	"student", "lab", "score", "max_score", "flaky_tests", "failed_tests",
	"compile_error", "rejected", "error", "seconds",
}

// testColumns are grades.csv's columns after classColumns: one per test,
// named for it. In a lab's row, a cell of the lab's own test is the points
// it earned; of an earlier lab's test that runs there too, what its
// failure cost (e.g. -5), or 0 if it passed; of any other test, empty.
func testColumns() []string {
	var names []string
	for _, t := range labtest.Suite {
		names = append(names, t.Name())
	}
	return names
}

// testCells returns a lab row's cells under testColumns.
func testCells(l reportLab) []string {
	cells := make([]string, len(labtest.Suite))
	for _, t := range l.Tests {
		for i, st := range labtest.Suite {
			if st.Name() == t.Name {
				cells[i] = fmt.Sprint(t.Earned)
			}
		}
	}
	return cells
}

// writeClassCSV writes grades.csv, through a temporary file so that an
// interrupt leaves the old file or the new one, whole. Test names in a
// cell are separated by spaces; an error is its first line (the log has
// the rest).
func writeClassCSV(path string, grades []studentGrade) (err error) {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	defer func() {
		err = errors.Join(err, f.Close())
		if err == nil {
			err = os.Rename(tmp, path)
		}
	}()
	w := csv.NewWriter(f)
	rows := [][]string{append(slices.Clone(classColumns), testColumns()...)}
	for _, g := range grades {
		seconds := fmt.Sprintf("%.1f", g.Seconds)
		if g.Error != "" || len(g.Labs) == 0 {
			rows = append(rows, append([]string{g.Student, "", "0", "0", "", "", "", "", firstLine(g.Error), seconds},
				make([]string, len(labtest.Suite))...))
			continue
		}
		for _, l := range g.Labs {
			rows = append(rows, append([]string{
				g.Student, fmt.Sprintf("lab%d", l.Lab), fmt.Sprint(l.Score), fmt.Sprint(l.MaxScore),
				strings.Join(flakyTests(l), " "), strings.Join(failedTests(l), " "),
				compileError(l.BuildError), firstLine(l.Rejected), "", seconds,
			}, testCells(l)...))
		}
	}
	if err := w.WriteAll(rows); err != nil {
		return err
	}
	return w.Error()
}

// compileError is the first error the go command printed for a build that
// failed, without the heading the grader puts above it.
func compileError(buildError string) string {
	for _, line := range strings.Split(buildError, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") || strings.HasSuffix(line, "does not compile:") {
			continue
		}
		return line
	}
	return ""
}
