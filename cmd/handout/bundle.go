package main

import (
	"archive/zip"
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"raftlabs/classroom"
	"raftlabs/labtest"
)

// writeBundle writes a Gradescope autograder bundle to zipPath: the
// students' copy of the course at the zip's root (Gradescope unpacks it
// into /autograder/source), with setup.sh and run_autograder beside it.
func writeBundle(root, zipPath string, labs []labtest.Lab) (err error) {
	tmp, err := os.MkdirTemp("", "raftlabs-bundle-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	src := filepath.Join(tmp, "source")
	if err := handout(root, src, false, false); err != nil {
		return err
	}
	setup, runScript := classroom.GradescopeScripts(labs)
	if err := os.WriteFile(filepath.Join(src, "setup.sh"), setup, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(src, "run_autograder"), runScript, 0o755); err != nil {
		return err
	}

	f, err := os.Create(zipPath)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, f.Close()) }()
	zw := zip.NewWriter(f)
	walkErr := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil || path == src {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		h, err := zip.FileInfoHeader(info)
		if err != nil {
			return err
		}
		h.Name = filepath.ToSlash(rel)
		if d.IsDir() {
			h.Name += "/"
			_, err = zw.CreateHeader(h)
			return err
		}
		h.Method = zip.Deflate
		w, err := zw.CreateHeader(h)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	})
	return errors.Join(walkErr, zw.Close())
}
