package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// An edition is an instructor's choice of how much of the design the
// handouts give away. Each handout states the goal, the rules and what the
// tests check, and gives design help in layers a student opens only when
// stuck: a nudge, a sharper hint, the worked design.
type edition string

const (
	// fullEdition is the handouts as they are, every layer included.
	fullEdition edition = "full"
	// discoveryEdition leaves out the worked designs, the last layer of
	// each question, and the tables of which test catches which rule, so
	// that a student finds the traps by their failures: the nudges, the
	// sharper hints and the grader's verdicts stay.
	discoveryEdition edition = "discovery"
)

var editions = []edition{fullEdition, discoveryEdition}

// A markedBlock is the pair of lines that open and close a block of
// Markdown the copy may leave out.
type markedBlock struct{ begin, end string }

// The blocks the discovery edition leaves out.
var (
	workedDesign = markedBlock{"<!-- worked design -->", "<!-- end of worked design -->"}
	ruleToTest   = markedBlock{"<!-- rule to test -->", "<!-- end of rule to test -->"}
)

// parseEdition returns the edition called name.
func parseEdition(name string) (edition, error) {
	for _, e := range editions {
		if string(e) == name {
			return e, nil
		}
	}
	return "", fmt.Errorf("no edition %q: the editions are full (the handouts as they are) and discovery (without the worked designs and the tables of which test catches which rule)", name)
}

// leftOut returns the blocks of Markdown the edition leaves out, besides
// those not in the handout.
func (e edition) leftOut() []markedBlock {
	if e == discoveryEdition {
		return []markedBlock{workedDesign, ruleToTest}
	}
	return nil
}

// writeEdition rewrites the copy's Markdown files at dst as the edition
// has them.
func writeEdition(dst string, e edition) error {
	blocks := e.leftOut()
	if len(blocks) == 0 {
		return nil
	}
	return filepath.WalkDir(dst, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".md") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		edited := filterMarkdown(data, false, blocks...)
		if string(edited) == string(data) {
			return nil
		}
		return os.WriteFile(path, edited, 0o644)
	})
}
