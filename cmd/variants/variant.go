package main

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// A Variant is one known-buggy version of the reference solution: a bug in
// Raft terms, the lab whose suite must catch it, and the hunks that put the
// bug into the reference's files.
type Variant struct {
	Name  string // the file's name without ".variant", e.g. "stale-term-vote"
	Doc   string // the comment at the top of the file, without the "# "
	Lab   int    // the lab whose suite must fail
	Hunks []Hunk

	// Equivalent marks a bug that this reference never exercises, so that
	// no test can catch it (an equivalent mutant); the description says
	// why. Such a variant is kept to record the fact and to keep applying,
	// and its suite must pass: if it starts failing, the reference has
	// changed and the variant should become an ordinary one.
	Equivalent bool

	// Rules names the rules of the paper the bug breaks, by their ids in
	// the table of rules (rules.go): "append-5", "candidates-start".
	Rules []string

	// Verdicts are the words that say, in a failing test's verdict, that
	// the test found this bug: a verdict names the variant's rule if it
	// contains one of them. None means the variant's verdicts do not name
	// its rule (the table of rules says so); -check verifies the claim in
	// every run that kills the variant.
	Verdicts []string

	// Unnamed, for a variant without verdict words, says why its first
	// verdict cannot name its rule; the table of rules lists it.
	Unnamed string
}

// A Hunk replaces one piece of text, which must occur exactly once, in one
// file of the repository.
type Hunk struct {
	File    string // slash-separated, relative to the repository's root
	Line    int    // the line of the variant file where the hunk begins
	Search  string // whole lines, each ending in "\n"
	Replace string // whole lines; empty deletes Search
}

// The format of a variant file. Outside hunks, a line is blank, a comment
// starting with "#", or the lab line; inside a hunk every line is text,
// taken as it is.
//
//	# One line that names the bug.
//	#
//	# Why it is wrong, citing the paper.
//	lab 1
//	equivalent    (optional: no test can catch it in this reference)
//	rule vote-1   (one line for each rule the bug breaks, by its id in rules.go)
//	verdict a stale term   (optional, one line for each: words of a verdict that names the rule)
//	unnamed why not        (instead of verdict lines: why the first verdict cannot name the rule)
//
//	replace in solutions/election.go
//		if args.Term < rf.currentTerm {
//			return
//		}
//	with
//	end
const (
	variantExt    = ".variant"
	labPrefix     = "lab "
	equivalent    = "equivalent"
	rulePrefix    = "rule "
	verdictPrefix = "verdict "
	unnamedPrefix = "unnamed "
	replacePrefix = "replace in "
	withLine      = "with"
	endLine       = "end"
)

// ParseVariant reads a variant file's text. name is the variant's name, used
// in errors.
func ParseVariant(name string, text []byte) (*Variant, error) {
	v := &Variant{Name: name}
	var doc []string
	inDoc := true // the leading comment block is the variant's description
	lines := strings.Split(strings.TrimSuffix(string(text), "\n"), "\n")
	for k := 0; k < len(lines); k++ {
		line, lineNo := strings.TrimRight(lines[k], "\r"), k+1
		switch {
		case strings.HasPrefix(line, "#"):
			if inDoc {
				doc = append(doc, strings.TrimPrefix(strings.TrimPrefix(line, "#"), " "))
			}
		case strings.TrimSpace(line) == "":
			inDoc = false
		case strings.HasPrefix(line, labPrefix):
			inDoc = false
			if v.Lab != 0 {
				return nil, fmt.Errorf("%s:%d: a second lab line", name, lineNo)
			}
			n, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, labPrefix)))
			if err != nil || n < 1 {
				return nil, fmt.Errorf("%s:%d: %q: want \"lab N\" with N a lab number", name, lineNo, line)
			}
			v.Lab = n
		case line == equivalent:
			inDoc = false
			v.Equivalent = true
		case strings.HasPrefix(line, rulePrefix):
			inDoc = false
			v.Rules = append(v.Rules, strings.TrimSpace(strings.TrimPrefix(line, rulePrefix)))
		case strings.HasPrefix(line, verdictPrefix):
			inDoc = false
			v.Verdicts = append(v.Verdicts, strings.TrimSpace(strings.TrimPrefix(line, verdictPrefix)))
		case strings.HasPrefix(line, unnamedPrefix):
			inDoc = false
			v.Unnamed = strings.TrimSpace(v.Unnamed + " " + strings.TrimSpace(strings.TrimPrefix(line, unnamedPrefix)))
		case strings.HasPrefix(line, replacePrefix):
			inDoc = false
			h, next, err := parseHunk(name, lines, k)
			if err != nil {
				return nil, err
			}
			v.Hunks = append(v.Hunks, h)
			k = next
		default:
			return nil, fmt.Errorf("%s:%d: %q: outside a hunk, want a # comment, a blank line, "+
				"\"lab N\", \"equivalent\" or \"replace in FILE\"", name, lineNo, line)
		}
	}
	v.Doc = strings.TrimSpace(strings.Join(doc, "\n"))
	switch {
	case v.Doc == "":
		return nil, fmt.Errorf("%s: no description: start the file with # comment lines that name the bug and say why it is wrong", name)
	case v.Lab == 0:
		return nil, fmt.Errorf("%s: no \"lab N\" line: say which lab's suite must catch the bug", name)
	case len(v.Hunks) == 0:
		return nil, fmt.Errorf("%s: no hunks: a variant needs at least one \"replace in FILE\" ... \"with\" ... \"end\"", name)
	case v.Unnamed != "" && len(v.Verdicts) > 0:
		return nil, fmt.Errorf("%s: both verdict and unnamed lines: a verdict names the rule, or says why it cannot", name)
	}
	return v, nil
}

// parseHunk reads the hunk whose "replace in" line is lines[k], and returns
// it with the index of its "end" line.
func parseHunk(name string, lines []string, k int) (Hunk, int, error) {
	h := Hunk{File: strings.TrimSpace(strings.TrimPrefix(lines[k], replacePrefix)), Line: k + 1}
	if h.File == "" || path.IsAbs(h.File) || !fs.ValidPath(h.File) {
		return h, 0, fmt.Errorf("%s:%d: %q: the file must be a slash-separated path inside the repository, "+
			"e.g. solutions/election.go", name, h.Line, h.File)
	}
	var search, replace []string
	part := &search
	for j := k + 1; j < len(lines); j++ {
		switch line := strings.TrimRight(lines[j], "\r"); line {
		case withLine:
			if part == &replace {
				return h, 0, fmt.Errorf("%s:%d: a second %q in the hunk that begins on line %d", name, j+1, withLine, h.Line)
			}
			part = &replace
		case endLine:
			if part != &replace {
				return h, 0, fmt.Errorf("%s:%d: %q before %q in the hunk that begins on line %d", name, j+1, endLine, withLine, h.Line)
			}
			h.Search, h.Replace = joinLines(search), joinLines(replace)
			if strings.TrimSpace(h.Search) == "" {
				return h, 0, fmt.Errorf("%s:%d: the hunk's search text is empty", name, h.Line)
			}
			return h, j, nil
		default:
			*part = append(*part, line)
		}
	}
	return h, 0, fmt.Errorf("%s:%d: the hunk that begins here has no %q line", name, h.Line, endLine)
}

func joinLines(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	return strings.Join(lines, "\n") + "\n"
}

// Apply applies the variant's hunks, in order, to files read from fsys (the
// repository's root), and returns the new content of every file it changed.
// A hunk whose search text does not occur exactly once, as whole lines, in
// its file as the earlier hunks left it is an error: the reference has
// changed under the variant, which must be brought up to date.
func (v *Variant) Apply(fsys fs.FS) (map[string][]byte, error) {
	files := map[string][]byte{}
	for n, h := range v.Hunks {
		content, ok := files[h.File]
		if !ok {
			var err error
			if content, err = fs.ReadFile(fsys, h.File); err != nil {
				return nil, fmt.Errorf("%s:%d: hunk %d: %w", v.Name, h.Line, n+1, err)
			}
			if !bytes.HasSuffix(content, []byte("\n")) {
				content = append(content, '\n')
			}
		}
		at := lineMatches(content, h.Search)
		switch len(at) {
		case 0:
			return nil, fmt.Errorf("%s:%d: hunk %d: its search text is not in %s (the reference has changed: "+
				"update the variant to the new code)\n%s", v.Name, h.Line, n+1, h.File, indent(h.Search))
		case 1:
		default:
			return nil, fmt.Errorf("%s:%d: hunk %d: its search text occurs %d times in %s, at lines %s "+
				"(add lines around it so it names one place)\n%s", v.Name, h.Line, n+1, len(at), h.File,
				lineNumbers(content, at), indent(h.Search))
		}
		var b bytes.Buffer
		b.Write(content[:at[0]])
		b.WriteString(h.Replace)
		b.Write(content[at[0]+len(h.Search):])
		files[h.File] = b.Bytes()
	}
	return files, nil
}

// lineMatches returns the offsets in content where search begins at the
// start of a line. search, and content, end with a newline.
func lineMatches(content []byte, search string) []int {
	var at []int
	for from := 0; from < len(content); {
		k := bytes.Index(content[from:], []byte(search))
		if k < 0 {
			break
		}
		if k += from; k == 0 || content[k-1] == '\n' {
			at = append(at, k)
		}
		from = k + 1
	}
	return at
}

// lineNumbers turns offsets in content into "12, 40".
func lineNumbers(content []byte, offsets []int) string {
	var s []string
	for _, off := range offsets {
		s = append(s, strconv.Itoa(bytes.Count(content[:off], []byte("\n"))+1))
	}
	return strings.Join(s, ", ")
}

func indent(text string) string {
	return "\t" + strings.ReplaceAll(strings.TrimSuffix(text, "\n"), "\n", "\n\t")
}

// LoadVariants reads every variant file in dir, sorted by name.
func LoadVariants(dir string) ([]*Variant, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*"+variantExt))
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("no %s files in %s", variantExt, dir)
	}
	slices.Sort(paths)
	var vs []*Variant
	for _, p := range paths {
		text, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		v, err := ParseVariant(strings.TrimSuffix(filepath.Base(p), variantExt), text)
		if err != nil {
			return nil, err
		}
		vs = append(vs, v)
	}
	return vs, nil
}

// Title is the first line of the variant's description.
func (v *Variant) Title() string {
	first, _, _ := strings.Cut(v.Doc, "\n")
	return first
}
