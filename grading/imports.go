package grading

import (
	"cmp"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/tools/go/packages"

	"raftlabs/labtest"
)

// A Rejection is one thing in a student's files that the allowlist does
// not allow.
type Rejection struct {
	Pos    token.Position // the file, relative to the course's root, and the line
	Reason string         // e.g. "imports raftlabs/solutions, which a submission may not import"
}

func (r Rejection) String() string {
	if r.Pos.Line == 0 {
		return fmt.Sprintf("%s: %s", r.Pos.Filename, r.Reason)
	}
	return fmt.Sprintf("%s:%d: %s", r.Pos.Filename, r.Pos.Line, r.Reason)
}

// An ImportError is a lab folder whose student files the allowlist
// rejects: the lab is not built and scores nothing.
type ImportError struct {
	Lab        labtest.Lab
	Rejections []Rejection // in file and line order
}

func (e *ImportError) Error() string {
	if len(e.Rejections) == 1 {
		return e.Rejections[0].String() + "; allowed: " + AllowedList()
	}
	var b strings.Builder
	for _, r := range e.Rejections {
		b.WriteString(r.String() + "\n")
	}
	b.WriteString("allowed: " + AllowedList())
	return b.String()
}

// otherSources are the kinds of files besides .go that the go command
// compiles or links into a package: assembly, C and its kin, SWIG and
// object files.
var otherSources = []string{
	".s", ".S", ".sx", ".c", ".cc", ".cpp", ".cxx", ".h", ".hh", ".hpp", ".hxx",
	".m", ".f", ".F", ".for", ".f90", ".swig", ".swigcxx", ".syso",
}

// CheckImports checks the student's files of lab's folder under root (its
// non-test files) against the allowlist (ImportRule) before they are built. It returns
// an *ImportError naming every rejected import, every use of a member a
// restricted package does not allow, every //go:linkname, //go:embed or
// //line directive, every file that does not parse, and every non-Go source file;
// nil if there is none; or another error if the folder cannot be read.
//
// It checks every non-test .go file of the folder, also those the current
// build constraints leave out (a file for -race, for cgo, or for another
// system is compiled under other settings), so what it passes is safe under
// every setting the grader builds with.
func CheckImports(root string, lab labtest.Lab) error {
	root, err := filepath.Abs(root)
	if err != nil {
		return err
	}
	dir := filepath.Join(root, lab.Dir)
	if _, err := os.Stat(dir); err != nil {
		return err
	}
	// go/packages says which files the go command sees in the folder; the
	// files are parsed here, the test files not at all.
	cfg := &packages.Config{Mode: packages.NeedName | packages.NeedFiles, Dir: root}
	pkgs, err := packages.Load(cfg, "./"+lab.Dir)
	if err != nil {
		return fmt.Errorf("checking the imports of %s: %w", lab.Dir, err)
	}
	var goFiles, otherFiles []string
	for _, pkg := range pkgs {
		for _, f := range slices.Concat(pkg.GoFiles, pkg.IgnoredFiles, pkg.OtherFiles, pkg.EmbedFiles) {
			switch {
			case labtest.IsStudentFile(f):
				goFiles = append(goFiles, f)
			case strings.HasSuffix(f, ".go"): // a test: the course's
			default:
				otherFiles = append(otherFiles, f)
			}
		}
	}
	// The folder itself, in case the go command leaves a kind out.
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if slices.Contains(otherSources, filepath.Ext(e.Name())) {
			otherFiles = append(otherFiles, filepath.Join(dir, e.Name()))
		}
	}

	c := &importChecker{root: root, fset: token.NewFileSet()}
	for _, f := range sortedUnique(goFiles) {
		c.checkFile(f)
	}
	for _, f := range sortedUnique(otherFiles) {
		if filepath.Ext(f) == ".go" {
			continue
		}
		c.reject(token.Position{Filename: f}, "is not a Go file; a submission is Go source only")
	}
	if len(c.rejections) == 0 {
		return nil
	}
	slices.SortStableFunc(c.rejections, func(a, b Rejection) int {
		return cmp.Or(strings.Compare(a.Pos.Filename, b.Pos.Filename), cmp.Compare(a.Pos.Line, b.Pos.Line))
	})
	return &ImportError{Lab: lab, Rejections: c.rejections}
}

func sortedUnique(files []string) []string {
	slices.Sort(files)
	return slices.Compact(files)
}

// An importChecker collects the rejections of one lab folder's files.
type importChecker struct {
	root       string
	fset       *token.FileSet
	rejections []Rejection
}

// reject records a rejection at pos, with its file relative to the root.
func (c *importChecker) reject(pos token.Position, format string, args ...any) {
	if rel, err := filepath.Rel(c.root, pos.Filename); err == nil {
		pos.Filename = filepath.ToSlash(rel)
	}
	c.rejections = append(c.rejections, Rejection{Pos: pos, Reason: fmt.Sprintf(format, args...)})
}

// position returns pos in the file as it is, not as a line directive
// would have it: a rejection names the student's real file and line.
func (c *importChecker) position(pos token.Pos) token.Position {
	return c.fset.PositionFor(pos, false)
}

// checkFile checks one .go file's imports, its uses of restricted
// packages and its directives.
func (c *importChecker) checkFile(path string) {
	// Parsed with object resolution (the default), which checkMembers uses
	// to tell a package name from a local variable that shadows it.
	file, err := parser.ParseFile(c.fset, path, nil, parser.ParseComments|parser.AllErrors)
	if err != nil {
		var list scanner.ErrorList
		if errors.As(err, &list) && len(list) > 0 {
			pos := list[0].Pos
			pos.Filename = path // not the name a line directive gives
			c.reject(pos, "does not parse (%s), so its imports cannot be checked", list[0].Msg)
		} else {
			c.reject(token.Position{Filename: path}, "cannot be read: %v", err)
		}
		return
	}
	for _, spec := range file.Imports {
		importPath, err := strconv.Unquote(spec.Path.Value)
		if err != nil {
			continue // the parser has reported it
		}
		pos := c.position(spec.Pos())
		members, denied := ImportRule(importPath)
		switch {
		case importPath == "C":
			c.reject(pos, `imports "C" (cgo), which a submission may not use`)
		case denied != "":
			c.reject(pos, "imports %s, which a submission may not import: %s", importPath, denied)
		case members == nil:
		case spec.Name != nil && spec.Name.Name == ".":
			c.reject(pos, "imports %s with a dot, which a submission may not do: "+
				"import it by name and use only %s", importPath, qualified(importPath, members))
		case spec.Name != nil && spec.Name.Name == "_":
		default:
			name := pathBase(importPath)
			if spec.Name != nil {
				name = spec.Name.Name
			}
			c.checkMembers(file, name, importPath, members)
		}
	}
	for _, group := range file.Comments {
		for _, comment := range group.List {
			for _, directive := range []string{"//go:linkname", "//go:embed"} {
				if strings.HasPrefix(comment.Text, directive) {
					c.reject(c.position(comment.Pos()), "has a %s directive, which a submission may not use", directive[2:])
				}
			}
			if isLineDirective(comment.Text) {
				c.reject(c.position(comment.Pos()), "has a line directive (%s), which a submission may not use: "+
					"it gives the code's stack traces a file name of its choosing", shorten(comment.Text, 40))
			}
		}
	}
}

// isLineDirective reports whether a comment is a //line or /*line
// directive, which the compiler obeys: the prefix, then a position with a
// colon in it (comments such as "//line up the entries" are not).
func isLineDirective(comment string) bool {
	rest, ok := strings.CutPrefix(comment, "//line ")
	if !ok {
		rest, ok = strings.CutPrefix(comment, "/*line ")
	}
	return ok && strings.Contains(rest, ":")
}

// shorten returns s, or its start and "..." if it is longer than n bytes.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// checkMembers rejects each use, in file, of a member of the restricted
// package importPath (imported as name) that members does not list.
func (c *importChecker) checkMembers(file *ast.File, name, importPath string, members []string) {
	ast.Inspect(file, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		// A package name is never resolved to a local declaration (Obj is
		// nil); a variable of the same name is, and is not the package.
		if x, ok := sel.X.(*ast.Ident); ok && x.Name == name && x.Obj == nil && !slices.Contains(members, sel.Sel.Name) {
			c.reject(c.position(sel.Pos()), "uses %s.%s; of %s a submission may use only %s",
				name, sel.Sel.Name, importPath, qualified(name, members))
		}
		return true
	})
}

// qualified returns members as name.Member words: "os.Getenv, os.Stderr".
func qualified(name string, members []string) string {
	var words []string
	for _, m := range members {
		words = append(words, name+"."+m)
	}
	return strings.Join(words, ", ")
}

// pathBase is an import path's last element, the package's usual name.
func pathBase(importPath string) string {
	return importPath[strings.LastIndex(importPath, "/")+1:]
}
