package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// show builds one variant's lab test binary and runs it from the lab's
// folder with goTestArgs, flags as a student gives them to go test (-run,
// -count, -v, -seed, ...), copying what it prints to w: the output a
// student whose Raft had this bug would see. It returns the binary's exit
// error, if any, only when the binary could not be run at all: a failing
// test is what show is for.
func show(w io.Writer, root string, v *Variant, goTestArgs []string, race bool) error {
	o := prepare(v, root)
	if o.err != nil {
		return o.err
	}
	tmp, err := os.MkdirTemp("", "raftlabs-variant-show-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bin, err := buildVariant(o, tmp, runOptions{root: root, race: race})
	if err != nil {
		return err
	}
	cmd := exec.Command(bin, testBinaryArgs(goTestArgs)...)
	cmd.Dir = filepath.Join(root, o.lab.Dir)
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Run(); err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			return err
		}
	}
	return nil
}

// testBinaryArgs turns go test's flags into a test binary's: -run becomes
// -test.run, and so on. The harness's own flags (-seed, -realtime, ...)
// pass as they are.
func testBinaryArgs(args []string) []string {
	goTest := map[string]bool{"run": true, "count": true, "v": true, "timeout": true, "failfast": true}
	var out []string
	for _, a := range args {
		name := strings.TrimLeft(a, "-")
		if strings.HasPrefix(a, "-") && goTest[strings.SplitN(name, "=", 2)[0]] {
			a = "-test." + name
		}
		out = append(out, a)
	}
	return out
}

// splitArgs splits a -show value into arguments at spaces, dropping the
// single quotes a shell would remove: "-run '^TestX$' -seed 1".
func splitArgs(s string) []string {
	var args []string
	for _, f := range strings.Fields(s) {
		args = append(args, strings.Trim(f, "'"))
	}
	return args
}

// showUsage is the -show flag's help.
const showUsage = "build the one variant named and run its lab's tests with these `go-test-flags`, printing what " +
	"a student with this bug would see, e.g. -show \"-run '^TestFigure8Lab2$' -seed 1\" commit-old-term"

func checkShow(names []string) error {
	if len(names) != 1 {
		return fmt.Errorf("-show runs one variant: name exactly one")
	}
	return nil
}
