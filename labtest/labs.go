package labtest

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// The labs and their folders: which exist, how people name them, and which
// files in them are the student's.

// Labs lists the labs and their folders.
var Labs = []Lab{
	{Number: 1, Dir: "lab1-election", Title: "leader election", Points: 100},
	{Number: 2, Dir: "lab2-replication", Title: "log replication", Points: 100},
	{Number: 3, Dir: "lab3-persistence", Title: "persistence", Points: 100},
	{Number: 4, Dir: "lab4-snapshots", Title: "snapshots", Points: 100},
	{Number: 5, Dir: "lab5-kvraft", Title: "a key/value service", Points: 100},
}

// Lab is one stage of the course.
type Lab struct {
	Number int
	Dir    string
	Title  string
	// Points is what the lab is out of, as the handouts and the class's
	// pages state it: its own tests' points in Suite must sum to it
	// (CheckPoints).
	Points int
}

// NewFiles returns the student's files that the lab starts (lab 5's
// service), beside the Raft carried over from the lab before: cmd/carryover
// leaves them be.
func (l Lab) NewFiles() []string { return newFiles[l.Number] }

var newFiles = map[int][]string{5: {"client.go", "common.go", "server.go"}}

// LabsIn returns the labs whose folders the tree at root has, in order.
func LabsIn(root string) []Lab {
	var labs []Lab
	for _, lab := range Labs {
		if info, err := os.Stat(filepath.Join(root, lab.Dir)); err == nil && info.IsDir() {
			labs = append(labs, lab)
		}
	}
	return labs
}

// IsStudentFile reports whether a file of a lab folder, by its name, is the
// student's: a .go file that is not a test. The tests (suite_test.go) are
// the course's; everything else there is the student's to write.
func IsStudentFile(name string) bool {
	return strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go")
}

// FindLab finds a lab by the names people type for it: "lab1", "1", or its
// folder, "lab1-election" (also "./lab1-election/", as a shell completes it).
func FindLab(name string) (Lab, error) {
	clean := strings.TrimSuffix(strings.TrimPrefix(filepath.ToSlash(name), "./"), "/")
	var names []string
	for _, lab := range Labs {
		n := strconv.Itoa(lab.Number)
		if clean == n || strings.EqualFold(clean, "lab"+n) || clean == lab.Dir {
			return lab, nil
		}
		names = append(names, fmt.Sprintf("lab%s (%s)", n, lab.Dir))
	}
	return Lab{}, fmt.Errorf("unknown lab %q: the labs are %s", name, strings.Join(names, ", "))
}
