//go:build !race

package labtest

// raceEnabled reports whether the test binary was built with -race, so the
// rerun command can say so.
const raceEnabled = false
