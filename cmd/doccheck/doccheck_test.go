package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"raftlabs/grading"
)

// TestEveryCommandRunsAsPrinted checks the documents of this tree: the
// course's, or in a students' copy (go run ./cmd/selftest runs this test
// in both), the copy's.
func TestEveryCommandRunsAsPrinted(t *testing.T) {
	root, err := grading.FindRoot(".")
	require.NoError(t, err)
	findings, checked, err := checkTree(root)
	require.NoError(t, err)
	for _, f := range findings {
		t.Error(f)
	}
	assert.Greater(t, len(checked), 50, "the documents have many commands: is findCommands missing them?")
}

// A small tree for the checks below: a lab folder, a command, the grader.
func fakeTree(t *testing.T) *toolbox {
	t.Helper()
	root := t.TempDir()
	files := map[string]string{
		"go.mod":                "module raftlabs\n",
		"grade.sh":              "#!/bin/sh\n",
		"lab1-election/raft.go": "package raft\n",
		"lab1-election/suite_test.go": "package raft\n\nimport \"testing\"\n\n" +
			"func TestReElectionLab1(t *testing.T) {}\nfunc TestKillLab1(t *testing.T) {}\n" +
			"func FuzzFigure8Lab1(f *testing.F) {}\nfunc helper() {}\n",
		"cmd/traceview/main.go": "package main\n",
		"labrpc/labrpc.go":      "package labrpc\n",
		"labrpc/bench_test.go":  "package labrpc\n\nimport \"testing\"\n\nfunc BenchmarkCall(b *testing.B) {}\n",
		"grading/table_test.go": "package grading\n\nimport (\n\t\"flag\"\n\t\"testing\"\n)\n\n" +
			"var update = flag.Bool(\"update\", false, \"rewrite the table\")\nvar width = flag.Int(\"width\", 80, \"columns\")\n\n" +
			"func TestTableIsCurrent(t *testing.T) {}\n",
		"docs/guide.md": "",
	}
	for name, text := range files {
		path := filepath.Join(root, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
	}
	return &toolbox{
		root: root,
		commands: map[string]map[string]flagInfo{
			"cmd/traceview": parseFlags(printDefaults(func(fs *flag.FlagSet) {
				fs.Bool("text", false, "print columns")
				fs.String("topics", "", "only these `topics`")
			})),
			"cmd/grade": parseFlags(printDefaults(func(fs *flag.FlagSet) {
				fs.Int("runs", 0, "run each test `N` times")
				fs.String("submission", "", "grade the tree in `DIR`")
				fs.Bool("reference", false, "grade the reference")
			})),
		},
		testFlags: parseFlags(printDefaults(func(fs *flag.FlagSet) {
			fs.String("test.run", "", "run only the tests matching `regexp`")
			fs.String("test.bench", "", "run only the benchmarks matching `regexp`")
			fs.String("test.fuzz", "", "run the fuzz test matching `regexp`")
			fs.Duration("test.fuzztime", 0, "fuzz for `d`")
			fs.String("test.trace", "", "write an execution trace to `file`")
			fs.Bool("test.v", false, "verbose")
			fs.Int("test.count", 1, "run tests `n` times")
			fs.Int64("seed", 0, "replay an earlier run")
			fs.Bool("savetrace", false, "write every test's trace (Not -trace: go test keeps that name.)")
		})),
	}
}

// printDefaults returns what a program with these flags prints for -h.
func printDefaults(define func(*flag.FlagSet)) string {
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	define(fs)
	var b bytes.Buffer
	fs.SetOutput(&b)
	fs.PrintDefaults()
	return "Usage of x:\n" + b.String()
}

// check returns the findings for a document, as lines.
func check(tb *toolbox, doc string) []string {
	findings, _ := tb.checkDocument("docs/guide.md", doc)
	var lines []string
	for _, f := range findings {
		lines = append(lines, f.String())
	}
	return lines
}

func TestParseFlagsReadsTheFlagPackagesHelp(t *testing.T) {
	flags := parseFlags(printDefaults(func(fs *flag.FlagSet) {
		fs.Bool("v", false, "verbose")
		fs.Bool("race", false, "race")
		fs.String("o", "", "write to `FILE`")
		fs.Duration("timeout", time.Minute, "bound")
		fs.Int("n", 0, "how many")
	}))
	assert.Equal(t, map[string]string{"v": "", "race": "", "o": "FILE", "timeout": "duration", "n": "int"},
		func() map[string]string {
			m := map[string]string{}
			for name, f := range flags {
				m[name] = f.value
			}
			return m
		}())
	assert.Equal(t, "race", flags["race"].usage)
}

func TestEachKindOfFinding(t *testing.T) {
	tb := fakeTree(t)
	for _, c := range []struct{ doc, want string }{
		// go test's own flag that takes a value, without one: the collision a student met.
		{"Not `go test -trace`.", "docs/guide.md:1: go test -trace: -trace is go test's own flag and needs a file; " +
			"the course's flag is -savetrace"},
		{"`go test -seed`", "go test -seed: -seed needs an int"},
		{"```sh\ngo test -run\n```", "go test -run: -run is go test's own flag and needs a regexp"},
		// An unknown flag.
		{"```sh\ngo run ./cmd/traceview -open x.jsonl\n```", "docs/guide.md:2: go run ./cmd/traceview -open x.jsonl: " +
			"-open is not a flag of traceview (its flags: -text -topics)"},
		{"`go test -opentrace`", "-opentrace is not a flag of go test, nor of the course's tests (the course's: -savetrace, -seed"},
		{"`go test -args -trace x`", "-trace is not a flag of the test binary (after -args, go test's own flags are -test.NAME)"},
		{"`./grade.sh --runz 3`", "--runz is not a flag of grade"},
		{"`./grade.sh --submission`", "--submission needs a DIR"},
		{"`go test -overlay`", "-overlay needs a value"},
		{"`go test ./grading -run TestTableIsCurrent -updat`", "-updat is not a flag of go test"},
		{"`go test ./grading -width`", "-width needs an int"},
		{"`go test ./labrpc -update`", "-update is not a flag of go test" /* grading's, not labrpc's */},
		// A missing program.
		{"`go run ./cmd/nosuch`", "go run ./cmd/nosuch: there is no package ./cmd/nosuch"},
		{"```sh\nwrote x.html\n```", "wrote is not a command of the course"},
		{"```sh\ngo frobnicate\n```", "go frobnicate is not a go command"},
		{"```sh\ncd lab1-election\n./grade.sh lab1\n```", "there is no script ./grade.sh in lab1-election: grade.sh is in the course's root (cd .. first)"},
		// A flag after an argument, where go's flag package no longer reads flags.
		{"`go run ./cmd/traceview x.jsonl -text`", "-text comes after the argument x.jsonl, and traceview reads no flags " +
			"after its first argument (go's flag package stops there): put the flags first"},
		{"`go build ./cmd/traceview -o bin/x`", "-o comes after the package ./cmd/traceview, and go build reads no " +
			"flags after its packages: put the flags first"},
		// A lab that is not there.
		{"`./grade.sh lab7`", `unknown lab "lab7"`},
		{"`./grade.sh lab2`", "there is no lab folder lab2-replication"},
		// A missing folder, package or path.
		{"`cd lab9-nothing`", "cd lab9-nothing: there is no folder lab9-nothing"},
		{"`go test ./nosuch`", "there is no package ./nosuch"},
		{"`go test raftlabs/nosuch`", "there is no package raftlabs/nosuch"},
		{"`go run ./cmd/traceview ./nosuch/x.jsonl`", "there is no file or folder ./nosuch/x.jsonl"},
		{"```sh\ncd lab1-election\ncd ..\ngo test\n```", "go test with no package runs the package in the folder, and the course's root has none"},
		// A -run, -bench or -fuzz that matches nothing, or does not compile.
		{"`go test -run '^TestNoSuchLab1$'`", `-run "^TestNoSuchLab1$" matches no test in lab1-election`},
		{"`go test -run '^helper$'`", `-run "^helper$" matches no test in lab1-election`},
		{"`go test -run '(Lab1'`", `-run "(Lab1" does not compile`},
		{"`go test -bench Call ./lab1-election`", `-bench "Call" matches no benchmark in lab1-election`},
		{"`go test -fuzz Kill`", `-fuzz "Kill" matches no fuzz test in lab1-election`},
		{"`go test -run TestNoSuch ./...`", `-run "TestNoSuch" matches no test in ./...`},
		{"```sh\n./scripts/nosuch.sh 100\n```", "there is no program ./scripts/nosuch.sh"},
		// Shell syntax the check cannot read.
		{"`go test -run 'Lab1`", "a ' that is not closed"},
	} {
		got := strings.Join(check(tb, c.doc), "\n")
		assert.Contains(t, got, c.want, "for %q", c.doc)
	}
}

func TestCommandsThatRunAsPrinted(t *testing.T) {
	tb := fakeTree(t)
	for _, doc := range []string{
		"`go test -savetrace`, or `RAFTLABS_TRACE=1 go test`",
		"`go test -run '^TestReElectionLab1$' -seed 8812 -count=20 -v -race`",
		"```sh\ncd lab1-election\ngo test -run Lab1   # lab 1's tests\ncd ..\n./grade.sh --runs 20 --reference lab1\n```",
		"```sh\ngo test -run Lab1\ncd .. && ./grade.sh lab1   # from a lab folder\n```",
		"`cd lab1-election && go test -v -run '^TestReElectionLab1$' -seed 1`",
		"`go test -args -test.trace t.out -seed 3`",
		"`go test -run '^$' -fuzz '^FuzzFigure8Lab1$' -fuzztime 10m`",
		"`go test -run '^FuzzFigure8Lab1$/^<name>$'`",
		"`go test -run '^$' -bench . ./labrpc` and `go test raftlabs/labrpc` and `go test ./labrpc/...`",
		"`go run ./cmd/traceview <trace>`, `go run raftlabs/cmd/traceview -text -topics vote /tmp/x.jsonl`",
		"`./grade.sh --submission DIR --runs N labN`, `./grade.sh -h`, `./grade.sh --submission=DIR`",
		"`./grade.sh lab1 --runs 3 lab1-election -reference`",
		"`go test -run '^TestReElectionLab1$' ./...` and `go test -bench Call ./...`",
		"```sh\n./grade.sh lab1\nlab1-election/raft.go --help\n```",
		"`go run ./cmd/traceview -text -- -odd-name.jsonl`",
		"`go test -overlay <(echo '{}') ./lab1-election 2>&1 | grep FAIL`",
		"`go build -o bin/x ./cmd/traceview`, `go vet -vettool=$PWD/bin/x ./lab1-election`, `go doc raftlabs/labrpc`",
		"```\n$ go test -run Lab1\nok  \traftlabs/lab1-election\t0.5s\nwrote nothing\n```",
		"```console\n$ cd lab1-election\n$ go test\nPASS\n```",
		"Prose that names go test -trace outside code, and `-trace` alone.",
		"`go test ./grading -run TestTableIsCurrent -update` and `go test ./grading -width 100 -args -update`",
	} {
		assert.Empty(t, check(tb, doc), "for %q", doc)
	}
}

func TestAStudentsCopySaysWhyAPathIsMissing(t *testing.T) {
	tb := fakeTree(t)
	tb.isCopy = true
	got := strings.Join(check(tb, "`go run ./cmd/variants -check`"), "\n")
	assert.Contains(t, got, "there is no package ./cmd/variants (this is the students' copy, which leaves it out: "+
		"a command only the course's maintainers can run goes in a <!-- not in the handout --> block")
}

func TestFindCommands(t *testing.T) {
	doc := "# Title\n" + // 1
		"Run `go test -run Lab1` or `./grade.sh\n" + // 2
		"lab1` (a span over two lines), not `go doc x`.\n" + // 3
		"```sh\n" + // 4
		"./grade.sh lab1   # grade\n" + // 5
		"                  # a comment line\n" + // 6
		"go test -run \\\n" + // 7
		"  Lab1\n" + // 8
		"```\n" + // 9
		"```\n" + // 10
		"$ go test -v\n" + // 11
		"--- PASS: TestX\n" + // 12
		"```\n" + // 13
		"~~~bash\n$ cd lab1-election\n~~~\n" + // 14-16
		"```go\nfunc f() { go test() }\n```\n" // 17-19
	var got []string
	for _, sn := range findCommands(doc) {
		var lines []string
		for _, l := range sn.lines {
			lines = append(lines, strings.TrimSpace(l.text)+"@"+strconv.Itoa(l.line))
		}
		got = append(got, strings.Join(lines, " | "))
	}
	assert.Equal(t, []string{
		"go test -run Lab1@2",
		"./grade.sh lab1@2",
		"./grade.sh lab1   # grade@5 | # a comment line@6 | go test -run Lab1@7",
		"go test -v@11",
		"cd lab1-election@15",
	}, got)
}

func TestSplitLine(t *testing.T) {
	for _, c := range []struct {
		line string
		want [][]string
	}{
		{"go test -run '^TestX$' -seed 1", [][]string{{"go", "test", "-run", "^TestX$", "-seed", "1"}}},
		{`cd lab1-election && go test -v  # one lab`, [][]string{{"cd", "lab1-election"}, {"go", "test", "-v"}}},
		{`go run ./cmd/variants -show "-run '^TestX$' -seed N" NAME`, [][]string{{"go", "run", "./cmd/variants", "-show", "-run '^TestX$' -seed N", "NAME"}}},
		{`go test 2>&1 | grep FAIL > out.txt`, [][]string{{"go", "test"}, {"grep", "FAIL"}}},
		{`go test -overlay <(echo '{"a": 1}') ./lab2`, [][]string{{"go", "test", "-overlay", `<(echo '{"a": 1}')`, "./lab2"}}},
		{`./grade.sh --submission <folder>`, [][]string{{"./grade.sh", "--submission", "<folder>"}}},
		{`RAFTLABS_TRACE=1 go test; go vet`, [][]string{{"RAFTLABS_TRACE=1", "go", "test"}, {"go", "vet"}}},
	} {
		cmds, err := splitLine(c.line)
		require.NoError(t, err, c.line)
		var got [][]string
		for _, words := range cmds {
			var ws []string
			for _, w := range words {
				ws = append(ws, w.text)
			}
			got = append(got, ws)
		}
		assert.Equal(t, c.want, got, c.line)
	}
}

func TestPlaceholders(t *testing.T) {
	for _, p := range []string{"<trace>", "^<name>$", "DIR", "N", "NAME", "FILE.zip", "TRACE.jsonl", "labN", "..."} {
		assert.True(t, isPlaceholder(p), p)
	}
	for _, p := range []string{"lab1", "Lab1", "Figure8", "TestReElectionLab1", "./lab1-election", "x.jsonl", "-v"} {
		assert.False(t, isPlaceholder(p), p)
	}
}
