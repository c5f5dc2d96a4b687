//go:build !race

package testproc

// RaceEnabled reports whether the test binary was built with -race, so the
// rerun command can say so.
const RaceEnabled = false
