package main

import (
	"fmt"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"raftlabs/labtest"
)

// The handouts' reference runs (./grade.sh --reference, 10 or 200 runs of
// each test with -race, timed on a known machine) are pasted tables, not
// sample blocks: -samples reruns only what takes seconds (go test in a lab
// folder, cmd/variants -show), never hours of runs. So when a test's points
// changed, nothing rewrote them and checkTestLists failed. The points
// column and the totals are the only parts of such a table that depend on
// labtest.Suite, so labgen rewrites those from the suite, as it rewrites
// the test tables, and leaves the measurements as they were measured.

var (
	// gradeHeading is the first line of the grader's table.
	gradeHeading = regexp.MustCompile(`^  test\s+points\s+result\b`)
	// gradeTableRow is a row of it (a test), or a line under a row (a
	// failure's details, indented further).
	gradeTableRow = regexp.MustCompile(`^  (Test\w+Lab(\d))\s|^      \S`)
	// goTestLine is the line go test prints as a test starts, in a lab
	// folder; the lines under it are indented.
	goTestLine = regexp.MustCompile(`^Test (Test\w+Lab\d): seed`)
	// labTotal and grandTotal are the grader's totals.
	labTotal   = regexp.MustCompile(`^lab(\d) total: (\d+)/(\d+)$`)
	grandTotal = regexp.MustCompile(`^total: (\d+)/(\d+)$`)
	// columnGap separates the table's columns: tabwriter pads with two
	// spaces or more, and a cell ("9/10 flaky") has one at most.
	columnGap = regexp.MustCompile(`\s{2,}`)
	// pointsHeading is the heading of a Markdown table written by hand
	// whose rows are tests and their points (docs/from-mit.md lists the
	// tests that send RPCs of their own so), and pointsRow a row of it.
	pointsHeading = regexp.MustCompile(`^\| test \| points \|`)
	pointsRow     = regexp.MustCompile("^\\| `(Test\\w+Lab\\d)` \\| (\\d+) \\|")
)

// withSuitePoints returns doc with every grader table in its fenced blocks
// (outside generated samples) brought to labtest.Suite: a full or empty
// points cell ("5/5", "0/5") gets the test's points now, a dropped test's
// row goes, the columns are aligned again as the grader aligns them, and a
// full lab total or grand total gets the lab's points now. A dropped test's
// run pasted from go test (its "Test TestX: seed N" line and the lines
// under it) goes too. So does a row of a Markdown table of tests and
// their points (| test | points | ...) outside the fences: its points
// become the suite's, and a dropped test's row goes.
func withSuitePoints(doc string) string {
	points := map[string]int{}
	for _, t := range labtest.Suite {
		points[t.Name()] = t.Points
	}
	labPoints := func(n int) int {
		sum := 0
		for _, t := range labtest.Suite {
			if t.Lab == n {
				sum += t.Points
			}
		}
		return sum
	}
	lines := strings.Split(doc, "\n")
	var out []string
	inFence, inSample, inPointsTable := false, false, false
	var labsInFence []int
	for k := 0; k < len(lines); k++ {
		line := lines[k]
		inPointsTable = inPointsTable && strings.HasPrefix(line, "|")
		switch {
		case !inFence && pointsHeading.MatchString(line):
			inPointsTable = true
		case inPointsTable && pointsRow.MatchString(line):
			m := pointsRow.FindStringSubmatch(line)
			p, ok := points[m[1]]
			if !ok { // dropped
				continue
			}
			line = fmt.Sprintf("| `%s` | %d |", m[1], p) + line[len(m[0]):]
		case strings.HasPrefix(line, samplePrefix):
			inSample = true
		case line == sampleEnd:
			inSample = false
		case strings.HasPrefix(line, "```"):
			inFence, labsInFence = !inFence, nil
		case !inFence || inSample:
		case gradeHeading.MatchString(line):
			end := k + 1
			for end < len(lines) && gradeTableRow.MatchString(lines[end]) {
				end++
			}
			table, labs := rewriteTable(lines[k:end], points)
			out = append(out, table...)
			labsInFence = append(labsInFence, labs...)
			k = end - 1
			continue
		case goTestLine.MatchString(line) && points[goTestLine.FindStringSubmatch(line)[1]] == 0:
			// A dropped test's run, pasted from go test: it goes, with the
			// lines under it.
			for k+1 < len(lines) && strings.HasPrefix(lines[k+1], " ") {
				k++
			}
			continue
		case labTotal.MatchString(line):
			m := labTotal.FindStringSubmatch(line)
			n, _ := strconv.Atoi(m[1])
			if !slices.Contains(labsInFence, n) {
				labsInFence = append(labsInFence, n)
			}
			if total := labPoints(n); m[2] == m[3] {
				line = fmt.Sprintf("lab%d total: %d/%d", n, total, total)
			} else if m[2] == "0" {
				line = fmt.Sprintf("lab%d total: 0/%d", n, total)
			}
		case grandTotal.MatchString(line) && len(labsInFence) > 0:
			m := grandTotal.FindStringSubmatch(line)
			total := 0
			for _, n := range labsInFence {
				total += labPoints(n)
			}
			if m[1] == m[2] {
				line = fmt.Sprintf("total: %d/%d", total, total)
			}
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

// rewriteTable returns the grader's table (its heading, rows and the lines
// under them) with the suite's points, aligned again, and the labs whose
// own tests it lists.
func rewriteTable(table []string, points map[string]int) ([]string, []int) {
	var labs []int
	type row struct {
		cells   []string
		details []string
	}
	rows := []row{{cells: columnGap.Split(strings.TrimSpace(table[0]), -1)}}
	dropped := false
	for _, line := range table[1:] {
		m := gradeTableRow.FindStringSubmatch(line)
		if m[1] == "" { // a line under the last row
			if !dropped {
				rows[len(rows)-1].details = append(rows[len(rows)-1].details, line)
			}
			continue
		}
		p, ok := points[m[1]]
		if dropped = !ok; dropped {
			continue
		}
		cells := columnGap.Split(strings.TrimSpace(line), -1)
		if earned, max, ok := strings.Cut(cells[1], "/"); ok {
			n, _ := strconv.Atoi(m[2])
			if !slices.Contains(labs, n) {
				labs = append(labs, n)
			}
			switch {
			case earned == max:
				cells[1] = fmt.Sprintf("%d/%d", p, p)
			case earned == "0":
				cells[1] = fmt.Sprintf("0/%d", p)
			}
		}
		rows = append(rows, row{cells: cells})
	}
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	for _, r := range rows {
		fmt.Fprintf(tw, "  %s\n", strings.Join(r.cells, "\t"))
	}
	tw.Flush()
	var out []string
	for i, line := range strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n") {
		out = append(out, strings.TrimRight(line, " "))
		out = append(out, rows[i].details...)
	}
	return out, labs
}

// writeSuitePoints rewrites the grader tables of the Markdown documents
// under root (README.md and docs/) with withSuitePoints.
func writeSuitePoints(root string) error {
	docs, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		return err
	}
	for _, path := range append(docs, filepath.Join(root, "README.md")) {
		doc, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		updated := withSuitePoints(string(doc))
		if updated == string(doc) {
			continue
		}
		if err := os.WriteFile(path, []byte(updated), 0o644); err != nil {
			return err
		}
		log.Printf("wrote the suite's points in the grader tables of %s", path)
	}
	return nil
}
