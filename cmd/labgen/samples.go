package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"raftlabs/labtest"
)

// Sample outputs in the handouts are real output, written by labgen from a
// command named in an HTML comment (which GitHub does not show):
//
//	<!-- output: cd lab1-election && go test -run '^TestInitialElectionLab1$' -seed 1 -->
//	```
//	$ cd lab1-election && go test -run '^TestInitialElectionLab1$' -seed 1
//	...what it printed...
//	```
//	<!-- cites lab1.go:18: c.CheckOneLeader() -->
//	<!-- end of output -->
//
// The command is either go test in a lab folder (the skeleton's output) or
// cmd/variants -show, the reference with one known bug put in, whose block
// shows the go test command a student would type. The "cites" lines record
// the source line each "file.go:N:" of the output pointed at when it was
// written, so that a test can tell when the code has moved under the
// sample (docs_test.go).
const (
	samplePrefix = "<!-- output: "
	sampleEnd    = "<!-- end of output -->"
	citesPrefix  = "<!-- cites "
	commentEnd   = " -->"
)

// A sample is one generated output block of a document.
type sample struct {
	command string // as written in the marker
	begin   int    // the marker's line, 0-based
	end     int    // the end marker's line
	text    string // the fenced block's output, without the "$ command" line
	cites   []string
}

// findSamples returns the document's sample blocks, in order.
func findSamples(doc string) ([]sample, error) {
	lines := strings.Split(doc, "\n")
	var samples []sample
	for k := 0; k < len(lines); k++ {
		command, ok := strings.CutPrefix(lines[k], samplePrefix)
		if !ok {
			continue
		}
		command, ok = strings.CutSuffix(command, commentEnd)
		if !ok {
			return nil, fmt.Errorf("line %d: the output marker does not end with %q", k+1, commentEnd)
		}
		s := sample{command: command, begin: k}
		for s.end = k + 1; s.end < len(lines) && lines[s.end] != sampleEnd; s.end++ {
			if c, ok := strings.CutPrefix(lines[s.end], citesPrefix); ok {
				s.cites = append(s.cites, strings.TrimSuffix(c, commentEnd))
			}
		}
		if s.end == len(lines) {
			return nil, fmt.Errorf("line %d: the output block has no %q line", k+1, sampleEnd)
		}
		block := strings.Join(lines[k+1:s.end], "\n")
		if start := strings.Index(block, "```\n"); start >= 0 {
			body := block[start+4:]
			if stop := strings.Index(body, "```"); stop >= 0 {
				body = body[:stop]
				if _, rest, ok := strings.Cut(body, "\n"); ok && strings.HasPrefix(body, "$ ") {
					body = rest
				}
				s.text = body
			}
		}
		samples = append(samples, s)
		k = s.end
	}
	return samples, nil
}

// A sampleCommand is a marker's command, understood.
type sampleCommand struct {
	labDir  string   // for go test in a lab folder
	variant string   // for cmd/variants -show
	args    []string // go test's flags
	shown   string   // the command the block shows
}

var (
	goTestCommand  = regexp.MustCompile(`^cd (lab\d-[a-z]+) && go test (.*)$`)
	variantCommand = regexp.MustCompile(`^go run \./cmd/variants -show "(.*)" ([a-z0-9-]+)$`)
)

func parseSampleCommand(command string) (sampleCommand, error) {
	if m := goTestCommand.FindStringSubmatch(command); m != nil {
		return sampleCommand{labDir: m[1], args: splitShellArgs(m[2]), shown: command}, nil
	}
	if m := variantCommand.FindStringSubmatch(command); m != nil {
		return sampleCommand{variant: m[2], args: splitShellArgs(m[1]), shown: "go test " + m[1]}, nil
	}
	return sampleCommand{}, fmt.Errorf("cannot run %q: an output marker names either "+
		"\"cd LAB && go test FLAGS\" or \"go run ./cmd/variants -show \\\"FLAGS\\\" VARIANT\"", command)
}

// splitShellArgs splits flags at spaces and drops the single quotes a shell
// would remove.
func splitShellArgs(s string) []string {
	var args []string
	for _, f := range strings.Fields(s) {
		args = append(args, strings.Trim(f, "'"))
	}
	return args
}

// run runs the command from the repository's root and returns what it
// printed.
func (sc sampleCommand) run(root string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	var cmd *exec.Cmd
	if sc.labDir != "" {
		cmd = exec.CommandContext(ctx, "go", append([]string{"test"}, sc.args...)...)
		cmd.Dir = filepath.Join(root, sc.labDir)
	} else {
		cmd = exec.CommandContext(ctx, "go", "run", "./cmd/variants", "-show", strings.Join(sc.args, " "), sc.variant)
		cmd.Dir = root
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if _, failed := err.(*exec.ExitError); failed && sc.labDir != "" {
		err = nil // a failing test is the point of most samples
	}
	if err != nil {
		return "", fmt.Errorf("%s: %v\n%s", sc.shown, err, out.String())
	}
	return out.String(), nil
}

// citation matches the place a failure names, "    lab1.go:18: ...".
var citation = regexp.MustCompile(`(?m)^\s+([a-z0-9_]+\.go):(\d+): `)

// citesOf returns the "cites" lines for an output: each file.go:N it names
// and that line of labtest/file.go as it is now.
func citesOf(root, output string) ([]string, error) {
	var cites []string
	seen := map[string]bool{}
	for _, m := range citation.FindAllStringSubmatch(output, -1) {
		at := m[1] + ":" + m[2]
		if seen[at] {
			continue
		}
		seen[at] = true
		line, err := sourceLine(root, m[1], m[2])
		if err != nil {
			return nil, err
		}
		cites = append(cites, at+": "+line)
	}
	return cites, nil
}

// sourceLine returns line n of labtest/file, trimmed and made safe to keep
// in an HTML comment.
func sourceLine(root, file, n string) (string, error) {
	var k int
	if _, err := fmt.Sscan(n, &k); err != nil {
		return "", err
	}
	var src []byte
	var err error
	dir := ""
	for _, dir = range harnessDirs() {
		if src, err = os.ReadFile(filepath.Join(root, dir, file)); err == nil {
			break
		}
	}
	if err != nil {
		return "", fmt.Errorf("the output cites %s:%s, which is not a file of %s: %v", file, n, strings.Join(harnessDirs(), " or "), err)
	}
	lines := strings.Split(string(src), "\n")
	if k < 1 || k > len(lines) {
		return "", fmt.Errorf("the output cites %s:%d, but %s/%s has %d lines", file, k, dir, file, len(lines))
	}
	line := strings.TrimSpace(lines[k-1])
	line = strings.ReplaceAll(line, "--", "- -") // "--" may not appear in an HTML comment
	if len(line) > 100 {
		line = line[:100]
	}
	return line, nil
}

// renderSample returns the lines that replace a sample block: the marker,
// the fenced output, the cites lines and the end marker.
func renderSample(sc sampleCommand, command, output, fence string, cites []string) string {
	var b strings.Builder
	b.WriteString(samplePrefix + command + commentEnd + "\n")
	b.WriteString(fence + "\n$ " + sc.shown + "\n")
	b.WriteString(strings.TrimRight(output, "\n") + "\n```\n")
	for _, c := range cites {
		b.WriteString(citesPrefix + c + commentEnd + "\n")
	}
	b.WriteString(sampleEnd)
	return b.String()
}

// rerunSamples reruns every sample of the document and returns each one's
// new block, by its marker's command.
func rerunSamples(root, doc string) (map[string]string, error) {
	samples, err := findSamples(doc)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(doc, "\n")
	blocks := map[string]string{}
	for _, s := range samples {
		sc, err := parseSampleCommand(s.command)
		if err != nil {
			return nil, err
		}
		output, err := sc.run(root)
		if err != nil {
			return nil, err
		}
		cites, err := citesOf(root, output)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", s.command, err)
		}
		fence := "```"
		for _, l := range lines[s.begin+1 : s.end] {
			if strings.HasPrefix(l, "```") {
				fence = l // keep a language tag, if the block has one
				break
			}
		}
		blocks[s.command] = renderSample(sc, s.command, output, fence, cites)
	}
	return blocks, nil
}

// withSamples returns the document with the blocks of its samples replaced
// by the new ones, found by their commands; a sample with no new block is
// left as it is.
func withSamples(doc string, blocks map[string]string) (string, error) {
	samples, err := findSamples(doc)
	if err != nil {
		return "", err
	}
	lines := strings.Split(doc, "\n")
	// Replace from the last, so that earlier line numbers stay right.
	for k := len(samples) - 1; k >= 0; k-- {
		s := samples[k]
		block, ok := blocks[s.command]
		if !ok {
			continue
		}
		lines = append(lines[:s.begin], append(strings.Split(block, "\n"), lines[s.end+1:]...)...)
	}
	return strings.Join(lines, "\n"), nil
}

// realTime matches what changes from run to run of the same seed even when
// the test does the same: real durations; and where the machine keeps
// traces.
var (
	realTime  = regexp.MustCompile(`\d+\.\d+s real|\(\d+\.\d+s\)|\t\d+\.\d+s$|\t\(cached\)$`)
	traceFile = regexp.MustCompile(`\S+\.jsonl\b`)
)

// normalize blanks out an output's real durations and trace files, for
// comparing two runs.
func normalize(output string) string {
	var lines []string
	for _, l := range strings.Split(strings.TrimRight(output, "\n"), "\n") {
		l = realTime.ReplaceAllString(l, "<real>")
		lines = append(lines, traceFile.ReplaceAllString(l, "<trace>"))
	}
	return strings.Join(lines, "\n")
}

// sampleDocs returns the documents whose samples and citations labgen keeps
// true: each lab's handout, and the guide to the network.
func sampleDocs() []string {
	var docs []string
	for _, lab := range labtest.Labs {
		docs = append(docs, filepath.Join("docs", lab.Dir+".md"))
	}
	return append(docs, filepath.Join("docs", "labrpc.md"))
}

// samplesIn limits writeSamples to some documents, for when one handout's
// samples are being written.
var samplesIn = flag.String("samples-in", "", "rerun only the samples of these `documents` (comma-separated, e.g. docs/lab2-replication.md), and write nothing else")

// writeSamples reruns the samples of every document of sampleDocs under
// root (or of those -samples-in names) and writes the documents back.
// Rerunning takes minutes (a build per variant), and people edit the
// handouts meanwhile, so each document is read again just before it is
// written, and only its sample blocks change.
func writeSamples(root string) error {
	for _, name := range sampleDocs() {
		if *samplesIn != "" && !slices.Contains(strings.Split(*samplesIn, ","), name) {
			continue
		}
		path := filepath.Join(root, name)
		doc, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		blocks, err := rerunSamples(root, string(doc))
		if err != nil {
			return fmt.Errorf("%s: %v", name, err)
		}
		if doc, err = os.ReadFile(path); err != nil {
			return err
		}
		updated, err := withSamples(string(doc), blocks)
		if err != nil {
			return fmt.Errorf("%s: %v", name, err)
		}
		if err := os.WriteFile(path, []byte(updated), 0o644); err != nil {
			return err
		}
		log.Printf("wrote the sample outputs in %s", name)
	}
	return nil
}

// harnessDirs are the folders of the harness whose scenarios and messages a
// sample's output shows: labtest, then each package that tests a service
// on Raft (kvtest).
func harnessDirs() []string {
	dirs := []string{"labtest"}
	for pkg := range labtest.ServiceBindings {
		dirs = append(dirs, pkg)
	}
	slices.Sort(dirs[1:])
	return dirs
}
