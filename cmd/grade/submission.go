package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"raftlabs/labtest"
)

// prepareSubmission makes a fresh copy of the course at root in a new
// temporary folder in tmp ("": the system's), less what a submission must
// not reach (leftOut) and the folders exclude names (with --class, the
// class's submissions and its grades, when they lie inside the course), and
// puts the student's own files from dir into it: the non-test .go files of
// each of dir's lab folders replace the copy's. Everything else, the tests
// above all, stays the course's. It returns the copy's root (the caller
// removes it) and notes for the grader's output.
//
// Only .go files are taken, so no assembly, C or object file of the
// student's is compiled; the grader checks the .go files' imports
// (grading.CheckImports) before building.
func prepareSubmission(root, dir, tmp string, exclude []string) (string, []string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", nil, err
	}
	if !isDir(dir) {
		return "", nil, fmt.Errorf("--submission %s: not a folder", dir)
	}
	if len(labtest.LabsIn(dir)) == 0 {
		return "", nil, fmt.Errorf("--submission %s has no lab folder (%s)", dir, labDirs())
	}

	copyRoot, err := os.MkdirTemp(tmp, "raftlabs-submission-")
	if err != nil {
		return "", nil, err
	}
	var excluded []os.FileInfo
	for _, e := range exclude {
		if info, err := os.Stat(e); err == nil {
			excluded = append(excluded, info)
		}
	}
	skip := func(path string) bool {
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return true
		}
		rel = filepath.ToSlash(rel)
		base := filepath.Base(path)
		return slices.Contains(leftOut, rel) || base == ".git" || base == "testdata" ||
			path == dir || // a submission kept inside the course
			isOneOf(path, excluded)
	}
	if err := copyTree(root, copyRoot, skip); err != nil {
		os.RemoveAll(copyRoot)
		return "", nil, fmt.Errorf("copying the course: %w", err)
	}

	var notes []string
	for _, lab := range labtest.Labs {
		from, to := filepath.Join(dir, lab.Dir), filepath.Join(copyRoot, lab.Dir)
		if isLink(from) {
			// Never followed: it could lead to a classmate's folder or the
			// course's own Rafts. grading.CheckRealFiles rejects the lab.
			notes = append(notes, fmt.Sprintf("%s: a symbolic link, which the grader does not follow", lab.Dir))
			continue
		}
		if !isDir(from) {
			notes = append(notes, fmt.Sprintf("%s: not in the submission; the course's skeleton stands in for it", lab.Dir))
			continue
		}
		copied, err := replaceStudentFiles(from, to)
		if err != nil {
			os.RemoveAll(copyRoot)
			return "", nil, err
		}
		notes = append(notes, fmt.Sprintf("%s: %s", lab.Dir, describeFiles(copied)))
	}
	return copyRoot, notes, nil
}

// leftOut is what the copy a submission is graded in does not have (paths
// from the course's root), besides every testdata folder: the reference
// and its buggy variants, the course's history, and built programs. With
// the reference absent, a submission cannot build against it even if an
// import of it got past the allowlist.
var leftOut = []string{".git", "bin", "solutions", "cmd/variants"}

// isOneOf reports whether the file at path is one of files (by
// os.SameFile: a path through a link is the same folder).
func isOneOf(path string, files []os.FileInfo) bool {
	if len(files) == 0 {
		return false
	}
	info, err := os.Stat(path)
	return err == nil && slices.ContainsFunc(files, func(f os.FileInfo) bool { return os.SameFile(info, f) })
}

// replaceStudentFiles removes the non-test .go files of the lab folder to
// and copies those of from in their place. It returns the names copied.
func replaceStudentFiles(from, to string) ([]string, error) {
	old, err := os.ReadDir(to)
	if err != nil {
		return nil, err
	}
	for _, e := range old {
		if isStudentFile(e) {
			if err := os.Remove(filepath.Join(to, e.Name())); err != nil {
				return nil, err
			}
		}
	}
	entries, err := os.ReadDir(from)
	if err != nil {
		return nil, err
	}
	var copied []string
	for _, e := range entries {
		if !isStudentFile(e) {
			continue
		}
		if err := copyFile(filepath.Join(from, e.Name()), filepath.Join(to, e.Name()), 0o644); err != nil {
			return nil, err
		}
		copied = append(copied, e.Name())
	}
	return copied, nil
}

// isLink reports whether path is a symbolic link.
func isLink(path string) bool {
	info, err := os.Lstat(path)
	return err == nil && info.Mode()&fs.ModeSymlink != 0
}

// isStudentFile reports whether a lab folder's entry is the student's: a
// regular file that labtest.IsStudentFile names. A link is not, and
// grading.CheckRealFiles rejects it.
func isStudentFile(e fs.DirEntry) bool {
	return e.Type().IsRegular() && labtest.IsStudentFile(e.Name())
}

func describeFiles(names []string) string {
	if len(names) == 0 {
		return "no .go files in the submission's folder"
	}
	return "the submission's " + strings.Join(names, ", ")
}

func labDirs() string {
	var dirs []string
	for _, lab := range labtest.Labs {
		dirs = append(dirs, lab.Dir)
	}
	return strings.Join(dirs, ", ")
}

// copyTree copies the regular files and folders under src to dst, leaving
// out what skip says and symbolic links.
func copyTree(src, dst string, skip func(path string) bool) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if path != src && skip(path) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		case d.Type().IsRegular():
			info, err := d.Info()
			if err != nil {
				return err
			}
			return copyFile(path, target, info.Mode().Perm())
		default:
			return nil // symbolic links and devices: a course has none worth copying
		}
	})
}

func copyFile(src, dst string, perm fs.FileMode) (err error) {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, out.Close()) }()
	_, err = io.Copy(out, in)
	return err
}
