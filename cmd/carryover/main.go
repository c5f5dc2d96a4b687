package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"raftlabs/labtest"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go run ./cmd/carryover lab2   (copies your lab 1 code into lab2-replication)")
		os.Exit(2)
	}
	from, to, err := labPair(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "carryover:", err)
		os.Exit(2)
	}
	if err := carryOver(os.Stdout, from.Dir, to.Dir, to.NewFiles(), time.Now()); err != nil {
		fmt.Fprintln(os.Stderr, "carryover:", err)
		os.Exit(1)
	}
}

// labPair finds the lab named by arg ("lab2", "2" or "lab2-replication")
// and the lab before it.
func labPair(arg string) (from, to labtest.Lab, err error) {
	to, err = labtest.FindLab(arg)
	if err != nil {
		return from, to, err
	}
	for k, lab := range labtest.Labs {
		if lab == to && k > 0 {
			return labtest.Labs[k-1], to, nil
		}
	}
	return from, to, fmt.Errorf("%s is the first lab: there is nothing to carry over", to.Dir)
}

// carryOver copies the student's files from the folder from into the folder
// to, saving every file of to that it replaces or removes first. The files
// named in keep are the new lab's own (lab 5's service): they are neither
// replaced nor removed.
func carryOver(w io.Writer, from, to string, keep []string, now time.Time) error {
	src, err := studentFiles(from)
	if err != nil {
		return err
	}
	if len(src) == 0 {
		return fmt.Errorf("%s has no .go files to carry over", from)
	}
	dst, err := studentFiles(to)
	if err != nil {
		return err
	}
	for _, name := range keep {
		delete(src, name)
		delete(dst, name)
	}

	// Save everything in the way before touching anything.
	backup := filepath.Join(to, ".backup-"+now.Format("20060102-150405"))
	var saved []string
	for name, content := range dst {
		if newContent, ok := src[name]; ok && bytes.Equal(newContent, content) {
			continue // unchanged: nothing to save
		}
		if err := os.MkdirAll(backup, 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(backup, name), content, 0o644); err != nil {
			return err
		}
		saved = append(saved, name)
	}

	// Files of the new lab that lab 1 does not have would clash with it.
	for name := range dst {
		if _, ok := src[name]; !ok {
			if err := os.Remove(filepath.Join(to, name)); err != nil {
				return err
			}
			fmt.Fprintf(w, "moved %s/%s to %s/ (your %s has no such file)\n", to, name, backup, from)
		}
	}
	for name, content := range src {
		if err := os.WriteFile(filepath.Join(to, name), content, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(w, "copied %s/%s to %s/\n", from, name, to)
	}
	if len(saved) > 0 {
		fmt.Fprintf(w, "saved the previous %s files in %s/: %s\n", to, backup, strings.Join(saved, ", "))
	}
	return nil
}

// studentFiles reads the non-test .go files of a lab folder.
func studentFiles(dir string) (map[string][]byte, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("%v (run this from the repository's root)", err)
	}
	files := map[string][]byte{}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !labtest.IsStudentFile(name) {
			continue
		}
		content, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		files[name] = content
	}
	return files, nil
}
