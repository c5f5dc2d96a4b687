package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"raftlabs/grading"
	"raftlabs/labtest"
)

// A finding is a command of a document that would not run as printed.
type finding struct {
	file    string // slash path from the tree's root
	line    int
	command string
	problem string
}

func (f finding) String() string {
	return fmt.Sprintf("%s:%d: %s: %s", f.file, f.line, f.command, f.problem)
}

// shellPrograms are the programs, besides go, cd and the course's own,
// that a document's commands may run; their arguments are not checked.
var shellPrograms = []string{
	"cat", "chmod", "cp", "diff", "echo", "export", "find", "git", "gofmt", "grep", "head",
	"jq", "less", "ls", "mkdir", "mv", "open", "rm", "sh", "bash", "sort", "tail", "tar",
	"touch", "unzip", "xdg-open", "zip",
}

// goSubcommands are the go command's subcommands a document may use; test,
// run, build, vet and doc are checked, the others are not.
var goSubcommands = []string{
	"build", "clean", "doc", "env", "fmt", "generate", "get", "install", "list", "mod", "run",
	"test", "tool", "version", "vet", "work",
}

// checkDocument checks every command of a document. file is its slash
// path from the tree's root. It returns the findings and the commands it
// checked ("file:line: command").
func (tb *toolbox) checkDocument(file, doc string) (findings []finding, checked []string) {
	for _, sn := range findCommands(doc) {
		s := &session{tb: tb, labDirs: tb.labDirsFor(file)}
		for _, l := range sn.lines {
			cmds, err := splitLine(l.text)
			if err != nil {
				findings = append(findings, finding{file, l.line, l.text, err.Error()})
				continue
			}
			for _, words := range cmds {
				checked = append(checked, fmt.Sprintf("%s:%d: %s", file, l.line, shellText(words)))
				for _, problem := range s.check(words) {
					findings = append(findings, finding{file, l.line, shellText(words), problem})
				}
			}
		}
	}
	return findings, checked
}

// labDirsFor returns the folders where a document's go test with no
// package and no cd before it runs: its lab's folder for a lab's handout
// (docs/lab1-election.md), else any lab folder.
func (tb *toolbox) labDirsFor(file string) []string {
	var dirs []string
	for _, lab := range labtest.LabsIn(tb.root) {
		if file == "docs/"+lab.Dir+".md" {
			return []string{lab.Dir}
		}
		dirs = append(dirs, lab.Dir)
	}
	return dirs
}

// A session is a reader typing one snippet's commands in order, from the
// folder the document has them in.
type session struct {
	tb *toolbox
	// cwd is the folder the commands run in, a slash path from the root
	// ("." for the root), or "" while the document has not said (the root,
	// or for go test a lab folder). lost: a cd to a placeholder.
	cwd     string
	lost    bool
	labDirs []string
}

// check returns what is wrong with one simple command.
func (s *session) check(words []word) []string {
	for len(words) > 0 && isEnvAssignment(words[0].text) {
		words = words[1:]
	}
	if len(words) == 0 {
		return nil
	}
	prog, args := words[0].text, words[1:]
	switch {
	case prog == "cd":
		return s.checkCd(args)
	case prog == "go":
		return s.checkGo(args)
	case strings.HasSuffix(prog, "grade.sh"):
		return s.checkGradeSh(prog, args)
	case strings.Contains(prog, "/"):
		// A script of the course, by its path: it must be there.
		if !checkable(words[0]) || s.lost || path.IsAbs(prog) || s.exists(s.resolve(prog)) {
			return nil
		}
		return []string{s.missing("program", prog)}
	case slices.Contains(shellPrograms, prog):
		return nil
	}
	return []string{fmt.Sprintf("%s is not a command of the course nor one of the shell's that doccheck knows "+
		"(cmd/doccheck's shellPrograms); if this line is a command's output, put it in a plain ``` block "+
		"after the command's line, written \"$ command\"", prog)}
}

// resolve returns the slash path from the root of p, a path typed in the
// session's folder.
func (s *session) resolve(p string) string {
	if path.IsAbs(p) {
		return p
	}
	base := s.cwd
	if base == "" {
		base = "."
	}
	return path.Clean(path.Join(base, p))
}

// exists reports whether the slash path rel (from the root) exists.
func (s *session) exists(rel string) bool {
	_, err := os.Stat(filepath.Join(s.tb.root, filepath.FromSlash(rel)))
	return err == nil
}

// missing says that the path p, typed in the session's folder, does not
// exist, and, in a students' copy, why.
func (s *session) missing(what, p string) string {
	where := ""
	if s.cwd != "" && s.cwd != "." {
		where = " in " + s.cwd
	}
	msg := fmt.Sprintf("there is no %s %s%s", what, p, where)
	if s.tb.isCopy {
		msg += " (this is the students' copy, which leaves it out: a command only the course's maintainers can run " +
			"goes in a <!-- not in the handout --> block, see cmd/handout)"
	}
	return msg
}

// checkable reports whether a word names something doccheck can look for:
// not a placeholder, and nothing the shell fills in.
func checkable(w word) bool {
	return !w.hasVar && !isPlaceholder(w.text) && !strings.HasPrefix(w.text, "~")
}

func (s *session) checkCd(args []word) []string {
	if len(args) == 0 || !checkable(args[0]) {
		s.lost = true
		return nil
	}
	dir := args[0].text
	if dir == ".." && s.cwd == "" {
		// The document had the reader in a lab folder without saying so.
		s.cwd, s.lost = ".", false
		return nil
	}
	if s.lost {
		return nil
	}
	target := s.resolve(dir)
	if strings.HasPrefix(target, "..") || path.IsAbs(target) {
		s.lost = true
		return nil
	}
	if !isDir(filepath.Join(s.tb.root, filepath.FromSlash(target))) {
		return []string{s.missing("folder", dir)}
	}
	s.cwd = target
	return nil
}

func (s *session) checkGradeSh(prog string, args []word) []string {
	if s.lost {
		return nil
	}
	script := s.resolve(prog)
	if !fileExists(filepath.Join(s.tb.root, filepath.FromSlash(script))) {
		msg := s.missing("script", prog)
		if s.cwd != "" && s.cwd != "." {
			msg += ": grade.sh is in the course's root (cd .. first)"
		}
		return []string{msg}
	}
	if script != "grade.sh" {
		return nil // some other grade.sh
	}
	if len(args) > 0 && args[0].text == "sweep" {
		return s.checkProgram("cmd/sweep", args[1:])
	}
	return s.checkProgram("cmd/grade", args)
}

func (s *session) checkGo(args []word) []string {
	if len(args) == 0 {
		return nil
	}
	sub, args := args[0].text, args[1:]
	switch sub {
	case "test":
		return s.checkGoTest(args)
	case "run":
		return s.checkGoRun(args)
	case "build", "vet", "install":
		own := map[string]bool{}
		if sub == "vet" {
			own = goVetOwnFlags
		}
		var problems []string
		pkgs, _ := s.goFlags("go "+sub, args, false, func(name string) (flagInfo, bool) {
			if takes, ok := own[name]; ok {
				return valueFlag(name, takes), true
			}
			if takes, ok := goBuildFlags[name]; ok {
				return valueFlag(name, takes), true
			}
			return flagInfo{}, false
		}, &problems)
		for _, p := range pkgs {
			problems = append(problems, s.checkPackage(p)...)
		}
		return problems
	case "doc":
		for _, a := range args {
			if !strings.HasPrefix(a.text, "-") && (strings.HasPrefix(a.text, ".") || strings.HasPrefix(a.text, grading.Module+"/")) {
				return s.checkPackage(a)
			}
		}
		return nil
	}
	if !slices.Contains(goSubcommands, sub) {
		return []string{fmt.Sprintf("go %s is not a go command", sub)}
	}
	return nil
}

func valueFlag(name string, takesValue bool) flagInfo {
	f := flagInfo{name: name}
	if takesValue {
		f.value = "value"
	}
	return f
}

// goFlags reads a go command's flags and packages, reporting unknown
// flags, missing values and, unless go test reads them (flagsAfter), flags
// after the packages into problems. It returns the packages and the
// values of the flags given.
func (s *session) goFlags(cmd string, args []word, flagsAfter bool, lookup func(string) (flagInfo, bool), problems *[]string) (pkgs []word, values map[string]string) {
	values = map[string]string{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, value, hasValue, isFlag := splitFlag(a)
		if !isFlag {
			pkgs = append(pkgs, a)
			continue
		}
		f, ok := lookup(name)
		if isHelp(name) {
			continue
		}
		if !ok {
			*problems = append(*problems, fmt.Sprintf("%s is not a flag of %s", typed(a), cmd))
			continue
		}
		if len(pkgs) > 0 && !flagsAfter {
			*problems = append(*problems, fmt.Sprintf("%s comes after the package %s, and %s reads no flags after "+
				"its packages: put the flags first", typed(a), pkgs[0].text, cmd))
		}
		if f.value != "" && !hasValue {
			if i+1 < len(args) && !looksLikeFlag(args[i+1]) {
				i++
				value, hasValue = args[i].text, true
			} else {
				*problems = append(*problems, fmt.Sprintf("%s needs %s", typed(a), article(f.value)))
				continue
			}
		}
		values[f.name] = value
	}
	return pkgs, values
}

// splitFlag splits a word that is a flag (-name, --name, -name=value).
func splitFlag(w word) (name, value string, hasValue, isFlag bool) {
	if !strings.HasPrefix(w.text, "-") || w.text == "-" || w.text == "--" {
		return "", "", false, false
	}
	name = strings.TrimPrefix(strings.TrimPrefix(w.text, "-"), "-")
	name, value, hasValue = strings.Cut(name, "=")
	return name, value, hasValue, true
}

// typed returns a flag as the document types it, without its value.
func typed(w word) string {
	flag, _, _ := strings.Cut(w.text, "=")
	return flag
}

// isHelp reports whether a flag asks for a program's usage, which the flag
// package answers for every program.
func isHelp(name string) bool { return name == "h" || name == "help" }

// looksLikeFlag reports whether a word after a flag that takes a value is
// a flag of its own rather than that value: go's flag package would take
// it as the value, which is never what a document means.
func looksLikeFlag(w word) bool {
	return strings.HasPrefix(w.text, "-") && !w.quoted && len(w.text) > 1 && !isDigits(w.text[1:])
}

// article names a flag's value as its usage line does: "a file", "an int".
func article(value string) string {
	switch value {
	case "n", "N":
		value = "number"
	case "d":
		value = "duration"
	}
	if strings.ContainsRune("aeiouAEIOU", rune(value[0])) {
		return "an " + value
	}
	return "a " + value
}

func (s *session) checkGoTest(args []word) []string {
	var problems []string
	tf := s.tb.testFlags
	// Before -args, go test reads its own flags (go build's, its own, and the
	// test binary's test.X without "test."), and passes the others on.
	var before, after []word
	for i, a := range args {
		if a.text == "-args" || a.text == "--args" {
			before, after = args[:i], args[i+1:]
			break
		}
		before = args
	}
	// A package's own tests may declare flags of their own (-update).
	own := map[string]flagInfo{}
	for _, a := range args {
		if _, _, _, isFlag := splitFlag(a); !isFlag {
			if dir, ok := s.packageDir(a.text); ok && !strings.Contains(a.text, "...") {
				maps.Copy(own, s.tb.declaredFlags(dir))
			}
		}
	}
	ownFlag := func(name string) (flagInfo, bool) {
		if f, ok := tf[name]; ok {
			return f, true
		}
		f, ok := own[name]
		return f, ok
	}
	pkgs, values := s.goFlags("go test, nor of the course's tests", before, true, func(name string) (flagInfo, bool) {
		if takes, ok := goTestOwnFlags[name]; ok {
			return valueFlag(name, takes), true
		}
		if takes, ok := goBuildFlags[name]; ok {
			return valueFlag(name, takes), true
		}
		if f, ok := tf["test."+name]; ok {
			return f, true
		}
		return ownFlag(name)
	}, &problems)
	for k, p := range problems {
		problems[k] = s.explainTestFlag(p)
	}
	_, binValues := s.goFlags("the test binary (after -args, go test's own flags are -test.NAME)", after, true,
		ownFlag, &problems)
	for name, v := range binValues {
		values[name] = v
	}

	var dirs []string
	for _, p := range pkgs {
		if !checkable(p) {
			return problems
		}
		ps := s.checkPackage(p)
		problems = append(problems, ps...)
		if len(ps) > 0 {
			return problems
		}
		if dir, ok := s.packageDir(p.text); ok {
			if strings.HasSuffix(p.text, "...") {
				dir += "/..." // every package under it
			}
			dirs = append(dirs, dir)
		}
	}
	if len(pkgs) > 0 && len(dirs) < len(pkgs) {
		return problems // a package of the standard library or another module: its tests are not read
	}
	if len(pkgs) == 0 {
		switch {
		case s.lost:
			return problems
		case s.cwd == "":
			dirs = s.labDirs
		default:
			if !hasGoFiles(filepath.Join(s.tb.root, filepath.FromSlash(s.cwd))) {
				return append(problems, fmt.Sprintf("go test with no package runs the package in the folder, and %s has none", describeDir(s.cwd)))
			}
			dirs = []string{s.cwd}
		}
	}
	for _, sel := range []struct {
		flag, kind string
		prefixes   []string
	}{
		{"test.run", "test", []string{"Test", "Fuzz", "Example"}},
		{"test.bench", "benchmark", []string{"Benchmark"}},
		{"test.fuzz", "fuzz test", []string{"Fuzz"}},
	} {
		if re, ok := values[sel.flag]; ok {
			problems = append(problems, s.tb.checkSelection(strings.TrimPrefix(sel.flag, "test."), re, sel.kind, sel.prefixes, dirs)...)
		}
	}
	return problems
}

// explainTestFlag adds to a problem with a go test flag what the course
// says of it: a course flag whose usage names the flag ("Not -trace") is
// the one meant.
func (s *session) explainTestFlag(problem string) string {
	name, _, _ := strings.Cut(strings.TrimLeft(problem, "-"), " ")
	f, ok := s.tb.testFlags["test."+name]
	if !ok {
		if !strings.Contains(problem, "is not a flag") {
			return problem
		}
		var course []string
		for n := range s.tb.testFlags {
			if !strings.HasPrefix(n, "test.") {
				course = append(course, "-"+n)
			}
		}
		sort.Strings(course)
		return problem + " (the course's: " + strings.Join(course, ", ") + "; go test's: go help testflag)"
	}
	if strings.Contains(problem, "needs") {
		flag, _, _ := strings.Cut(problem, " ")
		problem = fmt.Sprintf("%s is go test's own flag and needs %s", flag, article(f.value))
	}
	mention := regexp.MustCompile(`(^|[^\w-])-` + regexp.QuoteMeta(name) + `\b`)
	var meant []string
	for n, cf := range s.tb.testFlags {
		if !strings.HasPrefix(n, "test.") && mention.MatchString(cf.usage) {
			meant = append(meant, "-"+n)
		}
	}
	sort.Strings(meant)
	if len(meant) > 0 {
		problem += "; the course's flag is " + strings.Join(meant, " or ")
	}
	return problem
}

// checkSelection checks a -run, -bench or -fuzz regexp: each of its
// /-separated parts compiles, and the first matches a test of the kind in
// one of dirs' packages. "^$", which selects nothing on purpose, is fine.
func (tb *toolbox) checkSelection(flagName, expr, kind string, prefixes, dirs []string) []string {
	if expr == "^$" || len(dirs) == 0 {
		return nil
	}
	parts := splitRegexp(expr)
	for _, p := range parts {
		if isPlaceholder(p) {
			continue
		}
		if _, err := regexp.Compile(p); err != nil {
			return []string{fmt.Sprintf("-%s %q does not compile: %v", flagName, expr, err)}
		}
	}
	if isPlaceholder(parts[0]) {
		return nil
	}
	re := regexp.MustCompile(parts[0])
	for _, dir := range dirs {
		for _, name := range tb.testNames(dir) {
			if slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(name, p) }) && re.MatchString(name) {
				return nil
			}
		}
	}
	where := "in " + describeDir(dirs[0])
	if len(dirs) > 1 {
		where = "in any of " + strings.Join(dirs, ", ")
	}
	return []string{fmt.Sprintf("-%s %q matches no %s %s", flagName, expr, kind, where)}
}

// splitRegexp splits a -run pattern at the slashes that separate a test's
// and its subtests' patterns, as the testing package does: not inside
// brackets or parentheses.
func splitRegexp(s string) []string {
	var parts []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '[', '(':
			depth++
		case ']', ')':
			depth--
		case '\\':
			i++
		case '/':
			if depth == 0 {
				parts = append(parts, s[start:i])
				start = i + 1
			}
		}
	}
	return append(parts, s[start:])
}

// testNames returns the names of the top-level test, fuzz, benchmark and
// example functions of the package in dir (a slash path from the root), or
// with a "/..." after it of every package under it: what go test -list
// would list, read from the source.
func (tb *toolbox) testNames(dir string) []string {
	if names, ok := tb.names[dir]; ok {
		return names
	}
	var files []string
	if top, ok := strings.CutSuffix(dir, "/..."); ok {
		_ = filepath.WalkDir(filepath.Join(tb.root, filepath.FromSlash(top)), func(p string, d fs.DirEntry, err error) error {
			switch {
			case err != nil:
				return err
			case d.IsDir() && p != filepath.Join(tb.root, filepath.FromSlash(top)) &&
				(d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") || strings.HasPrefix(d.Name(), "_") ||
					fileExists(filepath.Join(p, "go.mod"))):
				return filepath.SkipDir // not a package of this module, as go sees it
			case !d.IsDir() && strings.HasSuffix(p, "_test.go"):
				files = append(files, p)
			}
			return nil
		})
	} else {
		files, _ = filepath.Glob(filepath.Join(tb.root, filepath.FromSlash(dir), "*_test.go"))
	}
	var names []string
	fset := token.NewFileSet()
	for _, f := range files {
		file, err := parser.ParseFile(fset, f, nil, parser.SkipObjectResolution)
		if err != nil {
			continue // go test says what is wrong with it
		}
		for _, d := range file.Decls {
			if fn, ok := d.(*ast.FuncDecl); ok && fn.Recv == nil {
				names = append(names, fn.Name.Name)
			}
		}
	}
	if tb.names == nil {
		tb.names = map[string][]string{}
	}
	tb.names[dir] = names
	return names
}

// declaredFlags returns the flags that the _test.go files of the package in
// dir (a slash path from the root) declare with the flag package, such as
// grading's -update: go test passes them on to the package's test binary.
func (tb *toolbox) declaredFlags(dir string) map[string]flagInfo {
	if flags, ok := tb.ownFlags[dir]; ok {
		return flags
	}
	flags := map[string]flagInfo{}
	files, _ := filepath.Glob(filepath.Join(tb.root, filepath.FromSlash(dir), "*_test.go"))
	fset := token.NewFileSet()
	for _, f := range files {
		file, err := parser.ParseFile(fset, f, nil, parser.SkipObjectResolution)
		if err != nil {
			continue
		}
		ast.Inspect(file, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if pkg, ok := sel.X.(*ast.Ident); !ok || pkg.Name != "flag" {
				return true
			}
			lit, ok := call.Args[0].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			name, err := strconv.Unquote(lit.Value)
			if err != nil {
				return true
			}
			switch sel.Sel.Name {
			case "Bool":
				flags[name] = flagInfo{name: name}
			case "String", "Int", "Int64", "Uint", "Uint64", "Float64", "Duration":
				flags[name] = flagInfo{name: name, value: strings.ToLower(sel.Sel.Name)}
			}
			return true
		})
	}
	if tb.ownFlags == nil {
		tb.ownFlags = map[string]map[string]flagInfo{}
	}
	tb.ownFlags[dir] = flags
	return flags
}

// packageDir returns the folder (a slash path from the root) of a package
// pattern as go takes it: ./x, ../x, raftlabs/x, with or without /....
func (s *session) packageDir(p string) (string, bool) {
	p = strings.TrimSuffix(strings.TrimSuffix(p, "/..."), "...")
	switch {
	case p == "." || p == ".." || strings.HasPrefix(p, "./") || strings.HasPrefix(p, "../"):
		if s.lost {
			return "", false
		}
		return s.resolve(p), true
	case p == grading.Module:
		return ".", true
	case strings.HasPrefix(p, grading.Module+"/"):
		return strings.TrimPrefix(p, grading.Module+"/"), true
	}
	return "", false // the standard library's, or another module's
}

// checkPackage checks that a package pattern names a package of the tree.
func (s *session) checkPackage(p word) []string {
	if !checkable(p) {
		return nil
	}
	if strings.HasSuffix(p.text, ".go") {
		if s.lost || s.exists(s.resolve(p.text)) {
			return nil
		}
		return []string{s.missing("file", p.text)}
	}
	dir, ok := s.packageDir(p.text)
	if !ok {
		return nil
	}
	if !isDir(filepath.Join(s.tb.root, filepath.FromSlash(dir))) {
		return []string{s.missing("package", p.text)}
	}
	if !strings.HasSuffix(p.text, "...") && !hasGoFiles(filepath.Join(s.tb.root, filepath.FromSlash(dir))) {
		return []string{fmt.Sprintf("%s has no Go files", describeDir(dir))}
	}
	return nil
}

func (s *session) checkGoRun(args []word) []string {
	var problems []string
	var pkg word
	var rest []word
	skip := false // the word is a flag's value
	for i, a := range args {
		if skip {
			skip = false
			continue
		}
		if name, _, hasValue, isFlag := splitFlag(a); isFlag {
			takes, ok := goBuildFlags[name]
			if !ok {
				problems = append(problems, fmt.Sprintf("%s is not a flag of go run (go help build)", typed(a)))
			}
			skip = takes && !hasValue
			continue
		}
		pkg, rest = a, args[i+1:]
		break
	}
	if pkg.text == "" {
		return append(problems, "go run names no package")
	}
	if ps := s.checkPackage(pkg); len(ps) > 0 || !checkable(pkg) {
		return append(problems, ps...)
	}
	dir, ok := s.packageDir(pkg.text)
	if !ok {
		return problems
	}
	if _, ok := s.tb.commands[dir]; !ok {
		return problems // a program that is not one of cmd/'s
	}
	return append(problems, s.checkProgram(dir, rest)...)
}

// checkProgram checks the arguments of one of the course's commands (dir:
// cmd/X): each flag is one it defines, with a value if it takes one, and
// comes before the other arguments unless the command reads flags
// anywhere (flagsAnywhere); each path it is given exists; each lab it
// names is one of the tree's.
func (s *session) checkProgram(dir string, args []word) []string {
	flags := s.tb.commands[dir]
	name := path.Base(dir)
	var problems []string
	firstArg := ""
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a.text == "--" {
			break
		}
		fname, _, hasValue, isFlag := splitFlag(a)
		if !isFlag {
			if firstArg == "" {
				firstArg = a.text
			}
			problems = append(problems, s.checkArgument(a)...)
			continue
		}
		f, ok := flags[fname]
		if !ok && !isHelp(fname) {
			problems = append(problems, fmt.Sprintf("%s is not a flag of %s (%s)", typed(a), name, listFlags(flags)))
			continue
		}
		if firstArg != "" && !slices.Contains(flagsAnywhere, dir) {
			problems = append(problems, fmt.Sprintf("%s comes after the argument %s, and %s reads no flags after its "+
				"first argument (go's flag package stops there): put the flags first", typed(a), firstArg, name))
		}
		if f.value != "" && !hasValue {
			if i+1 < len(args) && !looksLikeFlag(args[i+1]) {
				i++
				continue
			}
			problems = append(problems, fmt.Sprintf("%s needs %s", typed(a), article(f.value)))
		}
	}
	return problems
}

// flagsAnywhere are the commands that read flags after their other
// arguments too (./grade.sh lab1 --runs 3); newToolbox makes sure they still do.
var flagsAnywhere = []string{"cmd/grade", "cmd/sweep"}

// labName is how an argument that names a lab looks: lab1, lab2-replication.
var labName = regexp.MustCompile(`^lab\d+(-[a-z]+)?$`)

// checkArgument checks an argument of a course command that is not a
// flag: a relative path exists, a lab is one the tree has.
func (s *session) checkArgument(a word) []string {
	switch {
	case s.lost:
		return nil
	case labName.MatchString(a.text):
		if lab, err := labtest.FindLab(a.text); err != nil {
			return []string{err.Error()}
		} else if !s.exists(lab.Dir) {
			return []string{s.missing("lab folder", lab.Dir)}
		}
	case looksLikePath(a) && !s.exists(s.resolve(a.text)):
		return []string{s.missing("file or folder", a.text)}
	}
	return nil
}

// listFlags names a command's flags, for a finding about one it lacks.
func listFlags(flags map[string]flagInfo) string {
	if len(flags) == 0 {
		return "it has none"
	}
	var names []string
	for n := range flags {
		names = append(names, "-"+n)
	}
	sort.Strings(names)
	return "its flags: " + strings.Join(names, " ")
}

// looksLikePath reports whether a command's argument is a relative path
// in the course (./x, ../x, a/b), which must exist.
func looksLikePath(w word) bool {
	t := w.text
	if !checkable(w) || path.IsAbs(t) || strings.Contains(t, ":") {
		return false
	}
	return strings.HasPrefix(t, "./") || strings.HasPrefix(t, "../") || strings.Contains(strings.TrimSuffix(t, "/"), "/")
}

// hasGoFiles reports whether dir holds a .go file.
func hasGoFiles(dir string) bool {
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	return len(files) > 0
}

func describeDir(dir string) string {
	if dir == "." {
		return "the course's root"
	}
	return dir
}

// shellText writes a command's words back as a reader would type them.
func shellText(words []word) string {
	var parts []string
	for _, w := range words {
		t := w.text
		if t == "" || !w.hasVar && strings.ContainsAny(t, " \t'\"$*?[]^|&;<>()\\#") && !strings.HasPrefix(t, "<(") && !strings.HasPrefix(t, "$(") {
			if strings.Contains(t, "'") {
				t = `"` + strings.ReplaceAll(t, `"`, `\"`) + `"`
			} else {
				t = "'" + t + "'"
			}
		}
		parts = append(parts, t)
	}
	return strings.Join(parts, " ")
}
