package words

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Server is a server's name in every message: "s0", "s1", ...
func Server(i int) string { return fmt.Sprintf("s%d", i) }

// Seconds formats a duration on the test's clock, e.g. "12.40s".
func Seconds(d time.Duration) string {
	return fmt.Sprintf("%.2fs", d.Seconds())
}

// Servers formats server numbers as "[s1 s3]".
func Servers(servers []int) string {
	names := make([]string, len(servers))
	for k, i := range slices.Sorted(slices.Values(servers)) {
		names[k] = Server(i)
	}
	return "[" + strings.Join(names, " ") + "]"
}

// Indent prefixes every line of s with prefix.
func Indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n"+prefix)
}

// Command shows a command in a failure, shortening long ones.
func Command(cmd any) string {
	s := fmt.Sprintf("%#v", cmd)
	if len(s) > 40 {
		s = s[:30] + fmt.Sprintf("...(%d bytes)", len(s))
	}
	return s
}
