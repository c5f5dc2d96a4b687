package persisted

import (
	"regexp"
	"strconv"
	"time"

	"raftlabs/labtest/internal/service"
)

// Taught reports whether the test named test belongs to a lab that asks for
// persistence (lab 3 and later), by the lab its name ends with, where the
// persistence checks hold. A lab 1 or 2 test may crash a server too (the
// tests that play a server's part crash it to take its place), and a Raft
// of those labs persists nothing. A test whose name names no lab (the
// harness's own) is checked.
func Taught(test string) bool {
	m := labSuffix.FindStringSubmatch(test)
	if m == nil {
		return true
	}
	lab, _ := strconv.Atoi(m[1])
	return lab >= persistenceLab
}

// labSuffix matches the lab a suite test's name ends with
// (TestPersistBasicLab3), as labtest's Test.Name writes it.
var labSuffix = regexp.MustCompile(`Lab(\d+)$`)

// persistenceLab is the lab that teaches persistence.
const persistenceLab = 3

// Checked is how many of a server's latest applied commands Problem looks
// for in what it saved.
const Checked = 16

// Problem checks that what server i saved, state and snapshot, holds the
// latest commands it applied, latest (up to Checked, the latest first),
// and returns the failure if not, or nil. through is the last index of
// the leader's snapshot it installed, if any; what says when the bytes
// were read ("crashed", "was still running at the end"); unsaved says how
// an entry came to be unsaved.
func Problem(i int, what string, state, snapshot []byte, latest []service.Entry, through int, now time.Duration, unsaved *Unsaved) error {
	for _, e := range latest {
		if Holds(state, snapshot, e.Command) {
			continue
		}
		if e.Index <= through {
			return UnsavedSnapshot(i, what, through, e.Index, e.Command, len(state), len(snapshot), now)
		}
		return Unpersisted(i, what, e.Index, e.Command, len(state), len(snapshot), now, unsaved.How(i, e.Index, e.Command))
	}
	return nil
}
