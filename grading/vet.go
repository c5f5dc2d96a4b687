package grading

import (
	"cmp"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"

	"raftlabs/labvet"
)

// Finding is one mistake labvet's analyzers found in a Raft's source.
type Finding struct {
	Check   string // the analyzer that found it: "lockheld", "spinloop", ...
	File    string // the file, relative to the course's root, in slash form
	Line    int
	Column  int
	Message string
}

// String is the finding as the grader prints it:
// "lab1-election/raft.go:57: rf.mu held across call to Raft.RequestVote (...)".
func (f Finding) String() string {
	return fmt.Sprintf("%s:%d: %s", f.File, f.Line, f.Message)
}

// Vet runs labvet's analyzers (raftlabs/labvet) on the packages in dirs,
// folders of the course at root such as "lab2-replication" or "solutions",
// and returns their findings in file and line order. Test files are not
// checked. Code that does not compile is an error: its findings would mean
// little, and the build says what is wrong.
func Vet(root string, dirs ...string) ([]Finding, error) {
	return VetReplaced(root, nil, dirs...)
}

// VetReplaced is Vet with some files replaced: replace maps a file's path,
// relative to root, to the content it is checked with instead (a buggy
// variant of a reference file, as in Source.Replace). Nothing on disk
// changes.
func VetReplaced(root string, replace map[string][]byte, dirs ...string) ([]Finding, error) {
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	overlay := map[string][]byte{}
	for rel, content := range replace {
		overlay[filepath.Join(root, filepath.FromSlash(rel))] = content
	}
	patterns := make([]string, len(dirs))
	for i, dir := range dirs {
		patterns[i] = "./" + filepath.ToSlash(dir)
	}
	dir := strings.Join(dirs, ", ")
	cfg := &packages.Config{Mode: packages.LoadSyntax, Dir: root, Overlay: overlay}
	pkgs, err := packages.Load(cfg, patterns...)
	if err != nil {
		return nil, fmt.Errorf("labvet: loading %s: %w", dir, err)
	}
	var loadErrs []string
	packages.Visit(pkgs, nil, func(p *packages.Package) {
		for _, e := range p.Errors {
			loadErrs = append(loadErrs, e.Error())
		}
	})
	if len(loadErrs) > 0 {
		return nil, fmt.Errorf("labvet: %s does not compile: %s", dir, loadErrs[0])
	}
	if len(pkgs) < len(dirs) {
		return nil, fmt.Errorf("labvet: no Go package in %s", dir)
	}
	graph, err := analyze(pkgs)
	if err != nil {
		return nil, fmt.Errorf("labvet: %w", err)
	}
	order := map[string]int{}
	for i, a := range labvet.Analyzers {
		order[a.Name] = i
	}
	var findings []Finding
	var errs []error
	for _, act := range graph.Roots {
		if act.Err != nil {
			errs = append(errs, fmt.Errorf("labvet: %s: %w", act.Analyzer.Name, act.Err))
			continue
		}
		for _, d := range act.Diagnostics {
			pos := act.Package.Fset.Position(d.Pos)
			file := pos.Filename
			if rel, err := filepath.Rel(root, file); err == nil && !strings.HasPrefix(rel, "..") {
				file = rel
			}
			findings = append(findings, Finding{
				Check:   act.Analyzer.Name,
				File:    filepath.ToSlash(file),
				Line:    pos.Line,
				Column:  pos.Column,
				Message: d.Message,
			})
		}
	}
	slices.SortStableFunc(findings, func(a, b Finding) int {
		return cmp.Or(strings.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Column, b.Column), cmp.Compare(order[a.Check], order[b.Check]))
	})
	return findings, errors.Join(errs...)
}

// analyze runs the analyzers on pkgs in this goroutine, one after the
// other, so that a panic in one of them, on code no test foresaw, is an
// error here and not the end of the grader.
func analyze(pkgs []*packages.Package) (graph *checker.Graph, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("internal error: %v", v)
		}
	}()
	return checker.Analyze(labvet.Analyzers, pkgs, &checker.Options{Sequential: true})
}

// causes maps words of the harness's verdicts to the checks whose findings
// are the likely cause, most specific first. The words are the stable
// ones of labtest's watchdog and of labgob's reports.
var causes = []struct {
	words  string
	checks []string
}{
	{"sent on applyCh while holding its lock", []string{"lockheld"}},
	{"a loop that does not sleep", []string{"spinloop", "lockheld", "selflock"}},
	{"Make did not return", []string{"spinloop"}},
	{"waits for a mutex", []string{"lockheld", "selflock", "spinloop"}},
	{"virtual time stopped", []string{"lockheld", "selflock", "spinloop"}},
	{"did not finish within", []string{"lockheld", "selflock", "spinloop"}},
	{"of real time", []string{"spinloop", "lockheld", "selflock"}},
	{"deadlock", []string{"selflock", "lockheld"}},
	{"starts with a lower-case letter", []string{"rpcfields"}},
	{"that is not zero", []string{"replyreuse"}},
}

// Cause returns the finding that most likely caused a failed test's
// verdict — a frozen clock and a mutex held across Call, a lower-case field
// and labgob's report of it — or false if no finding fits.
func Cause(verdict string, findings []Finding) (Finding, bool) {
	for _, c := range causes {
		if !strings.Contains(verdict, c.words) {
			continue
		}
		for _, check := range c.checks {
			var candidates []Finding
			for _, f := range findings {
				if f.Check == check {
					candidates = append(candidates, f)
				}
			}
			if len(candidates) == 0 {
				continue
			}
			// Prefer the finding that names what the verdict names: the
			// field labgob reported ("raft.LogEntry.term" -> "LogEntry.term"),
			// or a send for an applyCh verdict.
			for _, f := range candidates {
				if mentionsSameThing(verdict, f) {
					return f, true
				}
			}
			return candidates[0], true
		}
		return Finding{}, false
	}
	return Finding{}, false
}

// mentionsSameThing reports whether f names the field or the operation the
// verdict names.
func mentionsSameThing(verdict string, f Finding) bool {
	switch f.Check {
	case "rpcfields":
		// labgob says "raft.LogEntry.term starts with"; the finding says
		// "field LogEntry.term starts with".
		name, _, ok := strings.Cut(f.Message, " starts with")
		name = strings.TrimPrefix(name, "field ")
		return ok && strings.Contains(verdict, "."+name+" starts with")
	case "lockheld":
		return strings.Contains(verdict, "applyCh") == strings.Contains(f.Message, "send on")
	}
	return false
}

// Explain returns verdict with a line that points to the finding most
// likely to have caused it, after its first line (so that a table that
// shows a verdict's first lines shows it too), or verdict unchanged if no
// finding fits.
func Explain(verdict string, findings []Finding) string {
	f, ok := Cause(verdict, findings)
	if !ok {
		return verdict
	}
	first, rest, _ := strings.Cut(verdict, "\n")
	note := "labvet points at the likely cause: " + f.String()
	if rest == "" {
		return first + "\n" + note
	}
	return first + "\n" + note + "\n" + rest
}
