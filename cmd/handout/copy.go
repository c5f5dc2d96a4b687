package main

import (
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// leftOut are the paths (from the course's root) the copy does not have,
// besides the testdata folders of the harness and the commands
// (isRevealingTestdata) and the tests that need them (instructorTestFiles): the
// reference and its variants, the commands that need the reference or
// maintain the course, and the instructors' own pages (docs/instructors.md
// describes the cheats the grader catches and how).
var leftOut = []string{
	".git", "bin",
	"solutions", "cmd/variants", "docs/variants.md", "docs/rules.md", "docs/instructors.md",
	"cmd/clockbench", "cmd/labgen", "cmd/handout", "classroom",
}

// instructorWords mark a course test file that needs what the copy leaves
// out: the reference (by its folder, or built in with grading.Source's
// Reference), a testdata folder of the harness or the commands. Such a file
// is left out.
var instructorWords = [][]byte{[]byte("solutions"), []byte("testdata"), []byte("Reference: true")}

// writeCopy writes the students' copy of the course at root into dst: the
// files git tracks, less what the copy leaves out.
func writeCopy(root, dst string) error {
	files, err := courseFiles(root)
	if err != nil {
		return err
	}
	instructorTests, err := instructorTestFiles(root, files)
	if err != nil {
		return err
	}
	for _, rel := range files {
		if isLeftOut(rel) {
			continue
		}
		src := filepath.Join(root, filepath.FromSlash(rel))
		info, err := os.Lstat(src)
		if errors.Is(err, fs.ErrNotExist) {
			continue // deleted, not yet committed
		}
		if err != nil {
			return err
		}
		if !info.Mode().IsRegular() {
			continue // links and devices: the course has none worth copying
		}
		data, err := os.ReadFile(src)
		if err != nil {
			return err
		}
		switch {
		case instructorTests[rel]:
			continue
		case strings.HasSuffix(rel, ".md"):
			data = filterMarkdown(data, rel == "README.md")
		}
		target := filepath.Join(dst, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(target, data, info.Mode().Perm()); err != nil {
			return err
		}
	}
	return nil
}

// isLeftOut reports whether the file rel (a slash path from the course's
// root) is one the copy does not have.
func isLeftOut(rel string) bool {
	parts := strings.Split(rel, "/")
	for i := range parts {
		if slices.Contains(leftOut, strings.Join(parts[:i+1], "/")) || isRevealingTestdata(parts[:i+1]) {
			return true
		}
	}
	return false
}

// isRevealingTestdata reports whether the folder parts names is a testdata
// folder of the harness (labtest/testdata: complete and nearly complete
// Rafts) or of a command (cmd/grade/testdata: the cheating submissions, and
// what later commands keep there). Other testdata folders, such as
// labvet's analyzer cases, stay: they are small snippets, not a Raft.
func isRevealingTestdata(parts []string) bool {
	n := len(parts)
	return n >= 2 && parts[n-1] == "testdata" && (parts[0] == "labtest" || parts[0] == "kvtest" || parts[0] == "cmd")
}

// courseFiles lists the course's files as slash paths from root: the files
// git tracks (in its index), and nothing else, whatever else lies in the
// folder: a class's submissions, its grades, a local build. Outside a git
// checkout there is no telling the course's files from the rest, so it
// refuses, and says how to make the folder one; so it does where the
// folder lies in a git repository that does not track the course (git
// tracks no go.mod in it).
func courseFiles(root string) ([]string, error) {
	cmd := exec.Command("git", "ls-files", "-z", "--cached")
	cmd.Dir = root
	out, err := cmd.Output()
	if errors.Is(err, exec.ErrNotFound) {
		return nil, fmt.Errorf("no git here (%v): the copy is made from the files git tracks in the course's folder, so it needs git", err)
	}
	if err != nil {
		return nil, fmt.Errorf("%s is not a git checkout (git ls-files: %v), so the course's files cannot be told "+
			"from whatever else lies in the folder (submissions, grades); %s", root, gitError(err), makeItOne)
	}
	var files []string
	for _, f := range strings.Split(string(out), "\x00") {
		if f != "" && !slices.Contains(files, f) {
			files = append(files, f)
		}
	}
	if !slices.Contains(files, "go.mod") {
		return nil, fmt.Errorf("git does not track the course in %s (no go.mod among the files it tracks there), "+
			"so the course's files cannot be told from whatever else lies in the folder; %s", root, makeItOne)
	}
	return files, nil
}

// makeItOne says how to make the course's folder a git checkout of the
// course.
const makeItOne = "make it one with git init && git add -A && git commit -m course " +
	"(after moving out what is not the course), then try again"

// gitError is err from running git, with what git said on its standard
// error, if anything.
func gitError(err error) error {
	var exit *exec.ExitError
	if errors.As(err, &exit) && len(bytes.TrimSpace(exit.Stderr)) > 0 {
		return fmt.Errorf("%v: %s", err, bytes.TrimSpace(exit.Stderr))
	}
	return err
}

// instructorTestFiles returns the test files (slash paths from root) the
// copy leaves out: those that need what it leaves out (needsCourse), and
// those that use a name one of them declares (a helper, a test Raft), so
// that the tests the copy keeps still build without them.
func instructorTestFiles(root string, files []string) (map[string]bool, error) {
	folders := map[string][]string{} // a folder's test files
	for _, rel := range files {
		if strings.HasSuffix(rel, "_test.go") && !isLeftOut(rel) {
			folders[path.Dir(rel)] = append(folders[path.Dir(rel)], rel)
		}
	}
	out := map[string]bool{}
	for _, tests := range folders {
		parsed := map[string]*ast.File{}
		needs := map[string]bool{}
		declared := map[string]bool{} // the top-level names of the files left out
		leave := func(rel string) {
			out[rel] = true
			for name := range topLevelNames(parsed[rel]) {
				declared[name] = true
			}
		}
		for _, rel := range tests {
			data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
			if errors.Is(err, fs.ErrNotExist) {
				continue // deleted, not yet committed
			}
			if err != nil {
				return nil, err
			}
			f, err := parser.ParseFile(token.NewFileSet(), rel, data, parser.SkipObjectResolution)
			if err != nil {
				return nil, err
			}
			parsed[rel], needs[rel] = f, needsCourse(data)
		}
		for _, rel := range tests {
			if needs[rel] {
				leave(rel)
			}
		}
		for changed := len(declared) > 0; changed; {
			changed = false
			for _, rel := range tests {
				if f := parsed[rel]; f != nil && !out[rel] && usesAny(f, declared) {
					leave(rel)
					changed = true
				}
			}
		}
	}
	return out, nil
}

// topLevelNames returns the names a file declares at its top level:
// functions, methods, types, variables and constants.
func topLevelNames(f *ast.File) map[string]bool {
	names := map[string]bool{}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			names[d.Name.Name] = true
		case *ast.GenDecl:
			for _, spec := range d.Specs {
				switch spec := spec.(type) {
				case *ast.TypeSpec:
					names[spec.Name.Name] = true
				case *ast.ValueSpec:
					for _, n := range spec.Names {
						names[n.Name] = true
					}
				}
			}
		}
	}
	return names
}

// usesAny reports whether the file f has an identifier named in names. It
// goes by name alone, so it may find a use where there is none (a local
// variable of the same name), never the other way round: a file it keeps
// needs none of the names.
func usesAny(f *ast.File, names map[string]bool) bool {
	found := false
	ast.Inspect(f, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && names[id.Name] {
			found = true
		}
		return !found
	})
	return found
}

// needsCourse reports whether a test file needs what the copy leaves out.
func needsCourse(src []byte) bool {
	for _, w := range instructorWords {
		if bytes.Contains(src, w) {
			return true
		}
	}
	return false
}

// The lines that open and close a block of Markdown the copy leaves out.
const (
	blockBegin = "<!-- not in the handout -->"
	blockEnd   = "<!-- end of not in the handout -->"
)

// missingWords are what a line of a README code block names when it is
// about something the copy leaves out.
var missingWords = []string{"solutions/", "--reference", "cmd/variants", "clockbench", "docs/variants.md", "docs/rules.md", "classroom/"}

// filterMarkdown leaves out the blocks marked as not in the handout, and
// the blocks an edition leaves out too, and, in a README's code blocks, the
// lines that name what the copy lacks.
func filterMarkdown(src []byte, readme bool, alsoLeftOut ...markedBlock) []byte {
	blocks := append([]markedBlock{{blockBegin, blockEnd}}, alsoLeftOut...)
	var out []string
	skipUntil, inCode := "", false // skipUntil: the end of the block being left out
	for _, line := range strings.SplitAfter(string(src), "\n") {
		trimmed := strings.TrimSpace(line)
		begins := slices.IndexFunc(blocks, func(b markedBlock) bool { return b.begin == trimmed })
		switch {
		case skipUntil != "":
			if trimmed == skipUntil {
				skipUntil = ""
			}
			continue
		case begins >= 0:
			skipUntil = blocks[begins].end
			continue
		case slices.ContainsFunc(blocks, func(b markedBlock) bool { return b.end == trimmed }):
			continue // an end without its beginning
		case strings.HasPrefix(trimmed, "```"):
			inCode = !inCode
		case inCode && readme && slices.ContainsFunc(missingWords, func(w string) bool { return strings.Contains(line, w) }):
			continue
		}
		out = append(out, line)
	}
	return []byte(strings.Join(out, ""))
}

// mdLink is a Markdown link to a relative path: [text](path) or
// [text](path#anchor).
var mdLink = regexp.MustCompile(`\[([^\]]+)\]\(([^)#:\s]+)(#[^)\s]*)?\)`)

// unlinkMissing turns every link in the copy's Markdown files to a file the
// copy does not have into its text.
func unlinkMissing(dst string) error {
	return filepath.WalkDir(dst, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".md") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		fixed := mdLink.ReplaceAllStringFunc(string(data), func(link string) string {
			m := mdLink.FindStringSubmatch(link)
			if _, err := os.Stat(filepath.Join(filepath.Dir(path), filepath.FromSlash(m[2]))); errors.Is(err, fs.ErrNotExist) {
				return m[1]
			}
			return link
		})
		if fixed == string(data) {
			return nil
		}
		return os.WriteFile(path, []byte(fixed), 0o644)
	})
}

// emptyOrAbsent reports whether dir does not exist or is an empty folder.
func emptyOrAbsent(dir string) (bool, error) {
	f, err := os.Open(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	defer f.Close()
	_, err = f.Readdirnames(1)
	if errors.Is(err, io.EOF) {
		return true, nil
	}
	return false, err
}
