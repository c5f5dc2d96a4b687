package testproc

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// What a test process's output says when the process died before the
// harness could report: a panic, a fatal error, or the race detector's
// findings.

// crashCause picks, from a test process's output, why it died: a panic or
// a fatal error, with the stack of the goroutine that died.
func crashCause(lines []string) string {
	for k, line := range lines {
		switch {
		case strings.HasPrefix(line, "panic: "), strings.HasPrefix(line, "fatal error: "):
			end := min(k+12, len(lines))
			// The panic's message, then the goroutine that panicked, up to
			// the first frame of code outside the runtime.
			var keep []string
			for _, l := range lines[k:end] {
				if l == "" && len(keep) > 1 {
					break
				}
				keep = append(keep, l)
			}
			return strings.Join(keep, "\n")
		}
	}
	return ""
}

// dataRace describes the first data race the race detector reported: the
// two accesses and the functions that made them, e.g.
// "data race: read in (*Raft).GetState (raft.go:48), previous write in ...".
func dataRace(lines []string) string {
	start := slices.Index(lines, "WARNING: DATA RACE")
	if start < 0 {
		return ""
	}
	var accesses []string
	for k := start + 1; k+2 < len(lines) && len(accesses) < 2 && lines[k] != "=================="; k++ {
		m := raceAccess.FindStringSubmatch(lines[k])
		if m == nil {
			continue
		}
		fn := strings.TrimSuffix(strings.TrimSpace(lines[k+1]), "()")
		fn = fn[strings.LastIndex(fn, "/")+1:]
		fn = fn[strings.Index(fn, ".")+1:] // drop the package
		where := strings.Fields(strings.TrimSpace(lines[k+2]))
		loc := ""
		if len(where) > 0 {
			loc = " (" + filepath.Base(where[0]) + ")"
		}
		accesses = append(accesses, fmt.Sprintf("%s in %s%s", strings.ToLower(m[1]+m[2]), fn, loc))
	}
	if len(accesses) == 0 {
		return "data race (see the test's output)"
	}
	return "data race: " + strings.Join(accesses, ", ")
}

// raceAccess is the race detector's line that starts an access:
// "Read at 0x00c000123 by goroutine 7:" or "Previous write at ...".
var raceAccess = regexp.MustCompile(`^(Previous |)(Read|Write|read|write) at 0x[0-9a-f]+ by `)
