package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"raftlabs/classroom"
	"raftlabs/grading"
	"raftlabs/labtest"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage: go run ./cmd/handout [-git] [-classroom] [-edition full|discovery] DIR
       go run ./cmd/handout -gradescope FILE.zip [lab...]
       go run ./cmd/handout -workflow FILE
`

// run is the whole command; it returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("handout", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage); fs.PrintDefaults() }
	asGit := fs.Bool("git", false, "make DIR a git repository with the copy as its one commit")
	withWorkflow := fs.Bool("classroom", false, "add GitHub Classroom's autograding workflow ("+classroom.WorkflowPath+")")
	bundle := fs.String("gradescope", "", "write a Gradescope autograder bundle to `FILE.zip`; the arguments are the labs it grades")
	workflow := fs.String("workflow", "", "write GitHub Classroom's workflow for every lab to `FILE` (classroom/classroom.yml)")
	editionName := fs.String("edition", string(fullEdition), "the handouts' `edition`: full (as they are) or discovery (without the worked designs and the tables of which test catches which rule)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	ed, err := parseEdition(*editionName)
	if err != nil {
		fmt.Fprintln(stderr, "handout:", err)
		return 2
	}
	if *workflow != "" {
		if err := os.WriteFile(*workflow, classroom.Workflow(labtest.Labs), 0o644); err != nil {
			fmt.Fprintln(stderr, "handout:", err)
			return 1
		}
		return 0
	}
	root, err := grading.FindRoot(".")
	if err != nil {
		fmt.Fprintln(stderr, "handout:", err)
		return 2
	}
	if *bundle != "" {
		labs, err := findLabs(fs.Args())
		if err == nil {
			err = writeBundle(root, *bundle, labs)
		}
		if err != nil {
			fmt.Fprintln(stderr, "handout:", err)
			return 1
		}
		fmt.Fprintf(stdout, "Wrote the Gradescope autograder bundle %s (%s). docs/instructors.md says how to set it up.\n",
			*bundle, describeLabs(labs))
		return 0
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	dst := fs.Arg(0)
	if err := handoutEdition(root, dst, *withWorkflow, *asGit, ed); err != nil {
		fmt.Fprintln(stderr, "handout:", err)
		return 1
	}
	fmt.Fprintf(stdout, "Wrote the students' copy of the course to %s.\n", dst)
	if ed == discoveryEdition {
		fmt.Fprintf(stdout, "Its handouts are the discovery edition: no worked designs, no tables of which test catches which rule.\n")
	}
	if *asGit {
		fmt.Fprintf(stdout, "It is a git repository with one commit: push it and mark it a template repository.\n")
	}
	return 0
}

// handout writes the students' copy into dst, with the GitHub Classroom
// workflow if withWorkflow, as a git repository if asGit.
func handout(root, dst string, withWorkflow, asGit bool) error {
	return handoutEdition(root, dst, withWorkflow, asGit, fullEdition)
}

// handoutEdition is handout with the handouts of edition ed.
func handoutEdition(root, dst string, withWorkflow, asGit bool, ed edition) error {
	if ok, err := emptyOrAbsent(dst); err != nil {
		return err
	} else if !ok {
		return fmt.Errorf("%s is not empty: give a new folder", dst)
	}
	if abs, err := filepath.Abs(dst); err == nil && strings.HasPrefix(abs+string(filepath.Separator), root+string(filepath.Separator)) {
		return fmt.Errorf("%s is inside the course: give a folder outside it", dst)
	}
	if err := writeCopy(root, dst); err != nil {
		return err
	}
	if err := writeEdition(dst, ed); err != nil {
		return err
	}
	if withWorkflow {
		path := filepath.Join(dst, filepath.FromSlash(classroom.WorkflowPath))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, classroom.Workflow(labtest.LabsIn(root)), 0o644); err != nil {
			return err
		}
	}
	if err := unlinkMissing(dst); err != nil {
		return err
	}
	if asGit {
		return gitInit(dst)
	}
	return nil
}

// gitInit makes dst a git repository whose one commit is everything in it.
func gitInit(dst string) error {
	for _, args := range [][]string{
		{"init", "-q"},
		{"add", "-A"},
		{"-c", "user.name=Raft Labs", "-c", "user.email=raftlabs@localhost", "commit", "-q", "-m", "Raft Labs: the students' copy"},
	} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dst
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	return nil
}

func findLabs(names []string) ([]labtest.Lab, error) {
	var labs []labtest.Lab
	for _, name := range names {
		lab, err := labtest.FindLab(name)
		if err != nil {
			return nil, err
		}
		labs = append(labs, lab)
	}
	return labs, nil
}

func describeLabs(labs []labtest.Lab) string {
	if len(labs) == 0 {
		return "it grades every lab folder a submission has"
	}
	var dirs []string
	for _, lab := range labs {
		dirs = append(dirs, lab.Dir)
	}
	return "it grades " + strings.Join(dirs, ", ")
}
