package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"raftlabs/grading"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the whole command; it returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("doccheck", flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.Usage = func() {
		fmt.Fprintln(stderr, "usage: go run ./cmd/doccheck [-v]   (checks the commands in the course's Markdown files)")
		flags.PrintDefaults()
	}
	verbose := flags.Bool("v", false, "also list every command checked")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if flags.NArg() > 0 {
		flags.Usage()
		return 2
	}
	root, err := grading.FindRoot(".")
	if err != nil {
		fmt.Fprintln(stderr, "doccheck:", err)
		return 2
	}
	findings, checked, err := checkTree(root)
	if err != nil {
		fmt.Fprintln(stderr, "doccheck:", err)
		return 2
	}
	if *verbose {
		fmt.Fprintln(stdout, strings.Join(checked, "\n"))
	}
	for _, f := range findings {
		fmt.Fprintln(stdout, f)
	}
	if len(findings) > 0 {
		fmt.Fprintf(stdout, "%d of the %d commands in the documents would not run as printed\n", len(findings), len(checked))
		return 1
	}
	fmt.Fprintf(stdout, "every one of the %d commands in the documents runs as printed\n", len(checked))
	return 0
}

// checkTree checks every command of every Markdown file of the tree at
// root, and returns the findings and how many commands it checked.
func checkTree(root string) (findings []finding, checked []string, err error) {
	docs, err := documents(root)
	if err != nil {
		return nil, nil, err
	}
	tb, err := newToolbox(root)
	if err != nil {
		return nil, nil, err
	}
	for _, doc := range docs {
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(doc)))
		if errors.Is(err, fs.ErrNotExist) {
			continue // deleted, not yet committed
		}
		if err != nil {
			return nil, nil, err
		}
		fs, cs := tb.checkDocument(doc, string(data))
		findings = append(findings, fs...)
		checked = append(checked, cs...)
	}
	return findings, checked, nil
}

// documents returns the Markdown files of the tree at root, as slash paths:
// the ones git would commit in a git checkout, else every one.
func documents(root string) ([]string, error) {
	cmd := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "*.md")
	cmd.Dir = root
	if out, err := cmd.Output(); err == nil {
		var docs []string
		for _, f := range strings.Split(string(out), "\x00") {
			if f != "" && !slices.Contains(docs, f) {
				docs = append(docs, f)
			}
		}
		slices.Sort(docs)
		return docs, nil
	}
	var docs []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".md") {
			rel, err := filepath.Rel(root, path)
			docs = append(docs, filepath.ToSlash(rel))
			return err
		}
		return nil
	})
	return docs, err
}
