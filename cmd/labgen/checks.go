package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"raftlabs/labtest"
)

// The checks below keep what the handouts say about the code true: each
// returns the problems it finds, in words that say how to fix them. A test
// (docs_test.go) runs them on the course's documents, so that the
// course's self-test fails when the code moves under a handout.

// checkCites checks that every place a sample's output names (file.go:N) is
// recorded in its "cites" lines, and that each recorded line of labtest is
// still what it was when the output was written. A moved or changed line
// means the output is out of date: run go run ./cmd/labgen.
func checkCites(root, doc string) []string {
	samples, err := findSamples(doc)
	if err != nil {
		return []string{err.Error()}
	}
	var problems []string
	for _, s := range samples {
		recorded := map[string]string{}
		for _, c := range s.cites {
			at, line, _ := strings.Cut(c, ": ")
			recorded[at] = line
		}
		for _, m := range citation.FindAllStringSubmatch(s.text, -1) {
			at := m[1] + ":" + m[2]
			want, ok := recorded[at]
			if !ok {
				problems = append(problems, fmt.Sprintf("the output of %q names %s but has no %q line for it: "+
					"run go run ./cmd/labgen -samples", s.command, at, citesPrefix+at+": ..."+commentEnd))
				continue
			}
			got, err := sourceLine(root, m[1], m[2])
			if err != nil {
				problems = append(problems, err.Error())
				continue
			}
			if got != want {
				problems = append(problems, fmt.Sprintf("the output of %q names %s, which was %q when the output "+
					"was written and is now %q: the code has moved; run go run ./cmd/labgen -samples", s.command, at, want, got))
			}
		}
	}
	return problems
}

// checkMessages checks that the words of every failure message a sample
// shows ("file.go:N: message") are still words of labtest's messages: each
// run of at least three words between the values (numbers, servers,
// durations) must be made of pieces of labtest's string literals, as a
// message built from several pieces is (a format and the texts it fills
// in). literals is labtestLiterals's, joined by NUL bytes.
func checkMessages(root, doc, literals string) []string {
	samples, err := findSamples(doc)
	if err != nil {
		return []string{err.Error()}
	}
	var problems []string
	for _, s := range samples {
		for _, line := range strings.Split(s.text, "\n") {
			loc := citation.FindStringIndex(line)
			if loc == nil {
				continue
			}
			for _, words := range fixedWords(line[loc[1]:]) {
				if missing := uncovered(words, literals); missing != "" {
					problems = append(problems, fmt.Sprintf("the output of %q says %q, and no message of labtest "+
						"says %q any more: run go run ./cmd/labgen -samples", s.command, words, missing))
				}
			}
		}
	}
	return problems
}

// uncovered returns the first part of text that is not made of pieces of
// literals, each piece the longest that fits and at least minPiece bytes
// long (but for the last); "" if all of it is.
func uncovered(text, literals string) string {
	const minPiece = 4
	for pos := 0; pos < len(text); {
		// The longest prefix of text[pos:] in literals: containment is
		// monotonic in the prefix's length, so search for it.
		n := sort.Search(len(text)-pos, func(k int) bool { return !strings.Contains(literals, text[pos:pos+k+1]) })
		if n == 0 || n < minPiece && pos+n < len(text) {
			return text[pos:]
		}
		pos += n
	}
	return ""
}

// value matches what a message fills in: numbers, durations, servers and
// lists of them, commands, and quoted words without spaces (lab 5's keys
// and values, "a").
var value = regexp.MustCompile(`\S*\d\S*|\[[^\]]*\]|\{[^}]*\}|\b(true|false)\b|"[^" ]*"`)

// fixedWords returns the runs of three words or more between a message's
// values.
func fixedWords(message string) []string {
	var runs []string
	for _, part := range value.Split(message, -1) {
		part = strings.Trim(part, " ,.:;()")
		if len(strings.Fields(part)) >= 3 {
			runs = append(runs, part)
		}
	}
	return runs
}

// labtestLiterals returns the string literals of the harness's non-test Go
// files (labtest's and kvtest's, harnessDirs), with the pieces of each
// "a" + "b" joined, and the literals separated by NUL bytes.
func labtestLiterals(root string) (string, error) {
	var files []string
	for _, dir := range harnessDirs() {
		// A package's own files, and its machinery's (labtest/internal),
		// where most of the verdicts' words are.
		for _, pattern := range []string{"*.go", filepath.Join("internal", "*", "*.go")} {
			more, err := filepath.Glob(filepath.Join(root, dir, pattern))
			if err != nil {
				return "", err
			}
			files = append(files, more...)
		}
	}
	var literals []string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			return "", err
		}
		var s scanner.Scanner
		fset := token.NewFileSet()
		s.Init(fset.AddFile(name, -1, len(src)), src, nil, 0)
		joined, plus := "", false
		for {
			_, tok, lit := s.Scan()
			if tok == token.EOF {
				break
			}
			switch {
			case tok == token.STRING:
				text, err := strconv.Unquote(lit)
				if err != nil {
					continue
				}
				if !plus {
					literals = append(literals, joined)
					joined = ""
				}
				joined += text
				plus = false
			case tok == token.ADD:
				plus = true
			case tok == token.SEMICOLON && lit == "\n":
				// a line break inside an expression: keep joining
			default:
				plus = false
			}
		}
		literals = append(literals, joined)
	}
	return strings.Join(literals, "\x00"), nil
}

// budgetRow matches a row of a handout's table of budgets:
// | `TestRPCCountsLab2` | what is counted | at most (12 + 3) × 3 = 45 |.
var (
	budgetRow     = regexp.MustCompile("^\\| `(Test\\w+Lab\\d)`[^|]*\\| ([^|]+) \\| at most ([^|]+) \\|$")
	numberIn      = regexp.MustCompile(`\d+`)
	wordsInBudget = regexp.MustCompile(`\([^)]*[a-z][^)]*\)|[a-z]+`)
)

// checkBudgets checks a handout's table of budgets against the tests: each
// number a budget is computed from must appear in the test's scenario (or,
// for counts of servers and commands, in the row's "what is counted"), and
// each "= N" must be the value of what precedes it.
func checkBudgets(root, doc string) []string {
	sources, err := scenarioSources(root)
	if err != nil {
		return []string{err.Error()}
	}
	var problems []string
	for _, line := range strings.Split(doc, "\n") {
		m := budgetRow.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		test, counted, budget := m[1], m[2], m[3]
		scenario := scenarioOf(test)
		src, ok := sources[scenario]
		if !ok {
			problems = append(problems, fmt.Sprintf("the budget of %s: labtest has no scenario %s", test, scenario))
			continue
		}
		expr := wordsInBudget.ReplaceAllString(budget, "") // "40 each", "10 (11 with slack)": the numbers
		expr = strings.NewReplacer("×", "*", " ", "", ",", "").Replace(expr)
		sides := strings.Split(expr, "=")
		for _, n := range numberIn.FindAllString(sides[0], -1) {
			if !src[n] && !slices.Contains(numberIn.FindAllString(counted, -1), n) {
				problems = append(problems, fmt.Sprintf("the budget of %s, %q, counts with %s, which neither %s's "+
					"code nor the row's \"what is counted\" mentions: update the table of budgets", test, budget, n, scenario))
			}
		}
		for k := 1; k < len(sides); k++ {
			left, err := types.Eval(token.NewFileSet(), nil, token.NoPos, sides[0])
			if err != nil {
				problems = append(problems, fmt.Sprintf("the budget of %s, %q: cannot compute %s: %v", test, budget, sides[0], err))
				break
			}
			if left.Value.ExactString() != sides[k] {
				problems = append(problems, fmt.Sprintf("the budget of %s, %q: %s is %s, not %s", test, budget,
					sides[0], left.Value.ExactString(), sides[k]))
			}
		}
	}
	return problems
}

// scenarioOf returns the scenario of a test's name: TestBackupLab2 → Backup.
func scenarioOf(test string) string {
	name := strings.TrimPrefix(test, "Test")
	if k := strings.LastIndex(name, "Lab"); k > 0 {
		name = name[:k]
	}
	return name
}

// scenarioSources returns, for each function of labtest, the numbers its
// code and messages use.
func scenarioSources(root string) (map[string]map[string]bool, error) {
	fset := token.NewFileSet()
	files, err := filepath.Glob(filepath.Join(root, "labtest", "*.go"))
	if err != nil {
		return nil, err
	}
	numbers := map[string]map[string]bool{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			return nil, err
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			ns := map[string]bool{}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				if lit, ok := n.(*ast.BasicLit); ok {
					text := strings.ReplaceAll(lit.Value, "_", "")
					for _, d := range regexp.MustCompile(`\d[\d,]*`).FindAllString(text, -1) {
						ns[strings.ReplaceAll(d, ",", "")] = true
					}
				}
				return true
			})
			numbers[fn.Name.Name] = ns
		}
	}
	return numbers, nil
}

// testLine matches a line of output or of a table that names a test first.
var testLine = regexp.MustCompile(`^(?:Test |\s+|\| ` + "`" + `)?(Test\w+Lab\d)\b`)

// gradeRow matches a row of the grader's table: name, points, result.
var gradeRow = regexp.MustCompile(`^\s+(Test\w+Lab\d)\s+(\S+)\s+\d+/\d+\s`)

// checkTestLists checks every fenced block of a lab's handout that lists
// tests, one a line (the output of a run, the grader's table): it must list
// exactly the lab's own tests, or every test its folder runs, and the
// grader's points must be the suite's.
func checkTestLists(doc string, lab labtest.Lab) []string {
	own, all := map[string]int{}, map[string]int{}
	for _, t := range labtest.Suite {
		if t.Lab == lab.Number {
			own[t.Name()] = t.Points
		}
	}
	for _, t := range labtest.TestsUpTo(lab.Number) {
		all[t.Name()] = t.Points
	}
	var problems []string
	inBlock, start := false, 0
	var listed []string
	for k, line := range strings.Split(doc, "\n") {
		if strings.HasPrefix(line, "```") {
			if inBlock && len(listed) >= 3 {
				if p := compareTests(listed, own, all); p != "" {
					problems = append(problems, fmt.Sprintf("the block at line %d of the %s handout %s", start+1, lab.Dir, p))
				}
			}
			inBlock, start, listed = !inBlock, k, nil
			continue
		}
		if !inBlock {
			continue
		}
		if m := testLine.FindStringSubmatch(line); m != nil && !slices.Contains(listed, m[1]) {
			listed = append(listed, m[1])
		}
		if m := gradeRow.FindStringSubmatch(line); m != nil {
			points, ok := all[m[1]]
			want := "-"
			if own[m[1]] != 0 {
				want = fmt.Sprintf("%d/%d", points, points)
			}
			if ok && m[2] != want && !strings.HasSuffix(m[2], fmt.Sprintf("/%d", points)) {
				problems = append(problems, fmt.Sprintf("line %d of the %s handout gives %s %s points; the suite "+
					"gives it %d", k+1, lab.Dir, m[1], m[2], points))
			}
		}
	}
	return problems
}

// compareTests says how a list of tests differs from the lab's own tests
// and from every test its folder runs, whichever is closer; "" if it is
// one of them.
func compareTests(listed []string, own, all map[string]int) string {
	missing := func(want map[string]int) (miss, extra []string) {
		for name := range want {
			if !slices.Contains(listed, name) {
				miss = append(miss, name)
			}
		}
		for _, name := range listed {
			if _, ok := want[name]; !ok {
				extra = append(extra, name)
			}
		}
		slices.Sort(miss)
		return miss, extra
	}
	missOwn, extraOwn := missing(own)
	if len(missOwn)+len(extraOwn) == 0 {
		return ""
	}
	missAll, extraAll := missing(all)
	if len(missAll)+len(extraAll) == 0 {
		return ""
	}
	miss, extra := missOwn, extraOwn
	if len(missAll)+len(extraAll) < len(missOwn)+len(extraOwn) {
		miss, extra = missAll, extraAll
	}
	return fmt.Sprintf("lists tests that are not the suite's: missing %v, not in the suite %v; run it again "+
		"and paste the new output", miss, extra)
}

// anyCitation matches a place in labtest's code named anywhere in a
// document: lab2.go:406.
var anyCitation = regexp.MustCompile(`\b([a-z0-9_]+\.go):(\d+)\b`)

// checkStrayCitations checks that every file.go:N a document names is
// inside a sample block, where checkCites keeps it true: a line number
// pasted by hand, or written in prose, goes stale the day the code moves.
func checkStrayCitations(doc string) []string {
	var problems []string
	inSample := false
	for k, line := range strings.Split(doc, "\n") {
		switch {
		case strings.HasPrefix(line, samplePrefix):
			inSample = true
		case line == sampleEnd:
			inSample = false
		case !inSample && !strings.HasPrefix(line, citesPrefix):
			for _, m := range anyCitation.FindAllString(line, -1) {
				problems = append(problems, fmt.Sprintf("line %d names %s outside a generated sample: put the "+
					"output it comes from in a sample block (%sCOMMAND%s, see cmd/labgen/samples.go) and run "+
					"go run ./cmd/labgen -samples, or name the place without its line number", k+1, m, samplePrefix, commentEnd))
			}
		}
	}
	return problems
}

// checkProbeTable checks that doc (docs/from-mit.md) lists every test that
// sends RPCs of its own (labtest.Test.Probe) with its points, in its table
// of tests and points, and no other test there.
func checkProbeTable(doc string) []string {
	var problems []string
	listed := map[string]bool{}
	for _, line := range strings.Split(doc, "\n") {
		if m := pointsRow.FindStringSubmatch(line); m != nil {
			listed[m[1]] = true
		}
	}
	probes := map[string]bool{}
	for _, test := range labtest.Suite {
		if !test.Probe {
			continue
		}
		probes[test.Name()] = true
		if row := fmt.Sprintf("| `%s` | %d |", test.Name(), test.Points); !strings.Contains(doc, row) {
			problems = append(problems, fmt.Sprintf("it must list %s, a test that sends RPCs of its own, with its "+
				"points: %q (go run ./cmd/labgen writes the points)", test.Name(), row))
		}
	}
	for name := range listed {
		if !probes[name] {
			problems = append(problems, fmt.Sprintf("it lists %s, which is not a test of the suite that sends RPCs "+
				"of its own (go run ./cmd/labgen drops a dropped test's row)", name))
		}
	}
	slices.Sort(problems)
	return problems
}
