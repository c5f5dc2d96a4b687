package labtest

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// How failures write servers, times and lists, the same everywhere.

// serverName is a server's name in every message: "s0", "s1", ...
func serverName(i int) string { return fmt.Sprintf("s%d", i) }

// seconds formats a duration on the test's clock, e.g. "12.40s".
func seconds(d time.Duration) string {
	return fmt.Sprintf("%.2fs", d.Seconds())
}

// serverList formats server numbers as "[s1 s3]".
func serverList(servers []int) string {
	names := make([]string, len(servers))
	for k, i := range slices.Sorted(slices.Values(servers)) {
		names[k] = serverName(i)
	}
	return "[" + strings.Join(names, " ") + "]"
}

// indent prefixes every line of s with prefix.
func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n"+prefix)
}

// itoa formats a seed.
func itoa(n int64) string { return strconv.FormatInt(n, 10) }
