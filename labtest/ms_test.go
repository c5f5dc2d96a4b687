package labtest

import "time"

// ms is n milliseconds, for the tests' times on the test's clock.
func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }
