package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"raftlabs/labtest"
)

// A flagInfo is one flag a program defines, as its -h prints it.
type flagInfo struct {
	name  string
	value string // the value's name ("N", "file", "duration"); "" for a flag that takes none
	usage string
}

// A toolbox is what the commands of a tree accept: each command's flags,
// read from its -h, and a lab test binary's (go test's own test.X flags and
// the course's).
type toolbox struct {
	root string
	// commands maps a command's folder (cmd/grade) to its flags.
	commands map[string]map[string]flagInfo
	// testFlags are a lab test binary's flags, by name (test.run, seed).
	testFlags map[string]flagInfo
	// isCopy says the tree is a students' copy (it has no cmd/handout).
	isCopy bool
	// names caches testNames, by folder.
	names map[string][]string
	// ownFlags caches the flags a folder's _test.go files declare with
	// the flag package (grading's -update), by folder.
	ownFlags map[string]map[string]flagInfo
}

// buildTimeout bounds the builds of the commands and of a lab's test binary.
const buildTimeout = 5 * time.Minute

// newToolbox builds every command of the tree at root (./cmd/...) and the
// test binary of a lab folder into a temporary folder, and reads their
// flags from their -h.
func newToolbox(root string) (*toolbox, error) {
	tmp, err := os.MkdirTemp("", "raftlabs-doccheck-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	tb := &toolbox{root: root, commands: map[string]map[string]flagInfo{}, testFlags: map[string]flagInfo{}}
	tb.isCopy = !isDir(filepath.Join(root, "cmd", "handout"))

	if out, err := goIn(root, "build", "-o", tmp+string(filepath.Separator), "./cmd/..."); err != nil {
		return nil, fmt.Errorf("go build ./cmd/...: %v\n%s", err, out)
	}
	dirs, err := filepath.Glob(filepath.Join(root, "cmd", "*"))
	if err != nil {
		return nil, err
	}
	for _, dir := range dirs {
		bin := filepath.Join(tmp, filepath.Base(dir))
		if !fileExists(bin) {
			continue // not a command (no main package)
		}
		tb.commands["cmd/"+filepath.Base(dir)] = parseFlags(helpOf(bin))
	}
	for _, dir := range flagsAnywhere {
		if _, ok := tb.commands[dir]; !ok {
			continue
		}
		// Asked for help after an argument, such a command still gives it.
		bin := filepath.Join(tmp, path.Base(dir))
		if help := helpOf(bin, "lab1", "-h"); len(parseFlags(help)) == 0 {
			return nil, fmt.Errorf("%s lab1 -h printed no flags, so it no longer reads flags after its arguments: "+
				"take it out of cmd/doccheck's flagsAnywhere:\n%s", dir, help)
		}
	}

	// The first lab folder whose test binary builds: a student's lab may
	// not compile yet.
	var buildErrs []string
	for _, lab := range labtest.LabsIn(root) {
		bin := filepath.Join(tmp, lab.Dir+".test")
		if out, err := goIn(root, "test", "-c", "-o", bin, "./"+lab.Dir); err != nil {
			buildErrs = append(buildErrs, fmt.Sprintf("go test -c ./%s: %v\n%s", lab.Dir, err, out))
			continue
		}
		tb.testFlags = parseFlags(helpOf(bin))
		if _, ok := tb.testFlags["test.run"]; !ok {
			return nil, fmt.Errorf("%s's test binary lists no -test.run flag in its -h:\n%s", lab.Dir, helpOf(bin))
		}
		return tb, nil
	}
	return nil, fmt.Errorf("no lab folder's test binary builds, and its -h is what says which flags go test takes:\n%s",
		strings.Join(buildErrs, "\n"))
}

// goIn runs the go command in dir.
func goIn(dir string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// helpOf returns what a program prints for -h, or for args (it may exit
// non-zero: the flag package exits 2 after printing the usage).
func helpOf(bin string, args ...string) string {
	if len(args) == 0 {
		args = []string{"-h"}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = os.TempDir() // -h should do nothing, but in case it does, not in the course
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	_ = cmd.Run()
	return out.String()
}

// flagLine matches a flag in flag.PrintDefaults' output: "  -name",
// "  -name value-name", or "  -v\tusage" for a one-letter flag.
var flagLine = regexp.MustCompile(`^  -([^\s=]+)(?: (\S+))?(?:\t(.*))?$`)

// parseFlags reads the flags in a program's -h output, as the flag
// package prints them: a flag with a value name after it takes a value.
func parseFlags(help string) map[string]flagInfo {
	flags := map[string]flagInfo{}
	var last string
	for _, line := range strings.Split(help, "\n") {
		if m := flagLine.FindStringSubmatch(line); m != nil {
			flags[m[1]] = flagInfo{name: m[1], value: m[2], usage: m[3]}
			last = m[1]
			continue
		}
		if usage, ok := strings.CutPrefix(line, "    \t"); ok && last != "" {
			f := flags[last]
			f.usage = strings.TrimSpace(f.usage + " " + usage)
			flags[last] = f
			continue
		}
		last = ""
	}
	return flags
}

// goBuildFlags are the flags of go build, which go test, go run and go vet
// take too, and which a test binary cannot show: true for the ones that
// take a value (go help build).
var goBuildFlags = map[string]bool{
	"C": true, "a": false, "n": false, "p": true, "race": false, "msan": false, "asan": false,
	"cover": false, "covermode": true, "coverpkg": true, "v": false, "work": false, "x": false,
	"asmflags": true, "buildmode": true, "buildvcs": true, "compiler": true, "gccgoflags": true,
	"gcflags": true, "installsuffix": true, "json": false, "ldflags": true, "linkshared": false,
	"mod": true, "modcacherw": false, "modfile": true, "overlay": true, "pgo": true, "pkgdir": true,
	"tags": true, "trimpath": false, "toolexec": true, "o": true,
}

// goTestOwnFlags are go test's flags that are neither go build's nor the
// test binary's (go help test): true for the ones that take a value.
var goTestOwnFlags = map[string]bool{"c": false, "exec": true, "json": false, "vet": true, "args": false}

// goVetOwnFlags are go vet's own flags (go help vet).
var goVetOwnFlags = map[string]bool{"vettool": true}

func isDir(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.IsDir()
}

func fileExists(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.Mode().IsRegular()
}
