package grading

import (
	"errors"
	"fmt"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"

	"raftlabs/labtest"
)

// CheckRealFiles checks that lab's folder in the submission at dir, and each
// of the student's files in it (labtest.IsStudentFile), is a real folder or
// a regular file inside the submission, not a symbolic link or a device: a
// link would have the grader grade whatever it points to, a classmate's
// folder or the course's own test data. It returns an *ImportError naming
// each one; nil if there is none or the submission has no such folder; or
// another error if the folder cannot be read.
//
// The grader copies only real folders and regular files, so a rejected
// lab's files are never built; the rejection says why the lab scores 0.
func CheckRealFiles(dir string, lab labtest.Lab) error {
	folder := filepath.Join(dir, lab.Dir)
	info, err := os.Lstat(folder)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var rejections []Rejection
	reject := func(name, format string, args ...any) {
		rejections = append(rejections, Rejection{Pos: token.Position{Filename: filepath.ToSlash(name)}, Reason: fmt.Sprintf(format, args...)})
	}
	switch {
	case info.Mode()&fs.ModeSymlink != 0:
		reject(lab.Dir, "is a symbolic link%s; a lab folder must be a real folder inside the submission", linkTarget(folder))
	case !info.IsDir():
		return nil // not a lab folder at all
	default:
		entries, err := os.ReadDir(folder)
		if err != nil {
			return err
		}
		for _, e := range entries {
			name := filepath.Join(lab.Dir, e.Name())
			switch {
			case !labtest.IsStudentFile(e.Name()) || e.Type().IsRegular():
			case e.Type()&fs.ModeSymlink != 0:
				reject(name, "is a symbolic link%s; a lab's .go files must be regular files inside the submission",
					linkTarget(filepath.Join(folder, e.Name())))
			default:
				reject(name, "is not a regular file; a lab's .go files must be regular files inside the submission")
			}
		}
	}
	if len(rejections) == 0 {
		return nil
	}
	return &ImportError{Lab: lab, Rejections: rejections}
}

// linkTarget returns " to TARGET" for a symbolic link, or "".
func linkTarget(path string) string {
	target, err := os.Readlink(path)
	if err != nil {
		return ""
	}
	return " (to " + target + ")"
}
