package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"raftlabs/labtest"
)

// writeClass writes size submission folders into dir, laid out as a
// student's tree (a folder per lab, each with the Raft as package raft):
// the even ones the reference, the odd ones the variants vs in turn, each
// variant's bug in every lab folder. It is a class to grade with
// ./grade.sh --class, for measuring the grader, and each variant must lose
// points in its lab.
func writeClass(root, dir string, size int, vs []*Variant) error {
	if len(vs) == 0 {
		return fmt.Errorf("no variants to hand in")
	}
	reference, err := referenceFiles(root)
	if err != nil {
		return err
	}
	for k := range size {
		name, files := "reference", reference
		if k%2 == 1 {
			v := vs[(k/2)%len(vs)]
			changed, err := v.Apply(os.DirFS(root))
			if err != nil {
				return err
			}
			name, files = v.Name, map[string][]byte{}
			for file, content := range reference {
				files[file] = content
			}
			for path, content := range changed {
				files[filepath.Base(path)] = content
			}
		}
		submission := filepath.Join(dir, fmt.Sprintf("%03d-%s", k+1, name))
		for _, lab := range labtest.Labs {
			labDir := filepath.Join(submission, lab.Dir)
			if err := os.MkdirAll(labDir, 0o755); err != nil {
				return err
			}
			for file, content := range files {
				content = packageClause.ReplaceAll(content, []byte("package raft"))
				if err := os.WriteFile(filepath.Join(labDir, file), content, 0o644); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// packageClause is the reference's package clause.
var packageClause = regexp.MustCompile(`(?m)^package solutions$`)

// referenceFiles reads the reference's files, by name: those a student's
// lab folder would hold.
func referenceFiles(root string) (map[string][]byte, error) {
	entries, err := os.ReadDir(filepath.Join(root, "solutions"))
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{}
	for _, e := range entries {
		if name := e.Name(); labtest.IsStudentFile(name) && !strings.HasPrefix(name, ".") {
			content, err := os.ReadFile(filepath.Join(root, "solutions", name))
			if err != nil {
				return nil, err
			}
			files[name] = content
		}
	}
	return files, nil
}
