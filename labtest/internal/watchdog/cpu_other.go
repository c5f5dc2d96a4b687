//go:build !unix

package watchdog

import "time"

// processCPU is not measured here: a spinning goroutine then gets the
// watchdog's full -stall limit instead of its early verdict.
func processCPU() (time.Duration, bool) { return 0, false }
