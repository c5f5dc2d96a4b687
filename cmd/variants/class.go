package main

import (
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"raftlabs/labtest"
)

// writeClass writes size submission folders into dir, laid out as a
// student's tree (a folder per lab, each with the Raft as package raft,
// and lab 5's with the key/value service beside it): the even ones the
// reference, the odd ones the variants vs in turn, each variant's bug in
// every lab folder that holds the file it changes. It is a class to grade
// with ./grade.sh --class, for measuring the grader, and each variant must
// lose points in its lab.
func writeClass(root, dir string, size int, vs []*Variant) error {
	if len(vs) == 0 {
		return fmt.Errorf("no variants to hand in")
	}
	raft, err := referenceFiles(root, raftDir)
	if err != nil {
		return err
	}
	service, err := referenceFiles(root, serviceDir)
	if err != nil {
		return err
	}
	for k := range size {
		name, raft, service := "reference", raft, service
		if k%2 == 1 {
			v := vs[(k/2)%len(vs)]
			changed, err := v.Apply(os.DirFS(root))
			if err != nil {
				return err
			}
			name, raft, service = v.Name, maps.Clone(raft), maps.Clone(service)
			for file, content := range changed {
				switch path.Dir(filepath.ToSlash(file)) {
				case raftDir:
					raft[path.Base(file)] = content
				case serviceDir:
					service[path.Base(file)] = content
				default:
					return fmt.Errorf("variant %s changes %s, which is neither the reference's Raft (%s) nor its service (%s)",
						v.Name, file, raftDir, serviceDir)
				}
			}
		}
		submission := filepath.Join(dir, fmt.Sprintf("%03d-%s", k+1, name))
		for _, lab := range labtest.Labs {
			files := map[string][]byte{}
			for file, content := range raft {
				files[file] = asStudentRaft(content)
			}
			for _, file := range lab.NewFiles() {
				content, ok := service[file]
				if !ok {
					return fmt.Errorf("%s has no %s, which %s starts", serviceDir, file, lab.Dir)
				}
				files[file] = asStudentService(content)
			}
			labDir := filepath.Join(submission, lab.Dir)
			if err := os.MkdirAll(labDir, 0o755); err != nil {
				return err
			}
			for file, content := range files {
				if err := os.WriteFile(filepath.Join(labDir, file), content, 0o644); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// raftDir holds the reference Raft, package solutions; serviceDir the
// reference key/value service on it, package kv, whose files a student
// writes in lab 5's folder (labtest.Lab.NewFiles).
const (
	raftDir    = "solutions"
	serviceDir = "solutions/kv"
)

var (
	// packageClause is the reference's package clause, in either folder.
	packageClause = regexp.MustCompile(`(?m)^package (solutions|kv)$`)
	// raftImport is the service's import of the reference Raft, and
	// raftQualifier its uses of it (solutions.Make, *solutions.Raft).
	raftImport    = regexp.MustCompile(`(?m)^\s*"raftlabs/solutions"\n`)
	raftQualifier = regexp.MustCompile(`\bsolutions\.`)
)

// asStudentRaft returns a file of the reference Raft as a student's lab
// folder holds it: package raft.
func asStudentRaft(src []byte) []byte {
	return packageClause.ReplaceAll(src, []byte("package raft"))
}

// asStudentService returns a file of the reference service as lab 5's
// folder holds it: package raft, calling the Raft beside it (Make, *Raft)
// rather than package solutions.
func asStudentService(src []byte) []byte {
	src = asStudentRaft(src)
	src = raftImport.ReplaceAll(src, nil)
	return raftQualifier.ReplaceAll(src, nil)
}

// referenceFiles reads the reference's files in dir (a folder of root), by
// name: those a student's lab folder would hold.
func referenceFiles(root, dir string) (map[string][]byte, error) {
	entries, err := os.ReadDir(filepath.Join(root, dir))
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{}
	for _, e := range entries {
		if name := e.Name(); !e.IsDir() && labtest.IsStudentFile(name) && !strings.HasPrefix(name, ".") {
			content, err := os.ReadFile(filepath.Join(root, dir, name))
			if err != nil {
				return nil, err
			}
			files[name] = content
		}
	}
	return files, nil
}
