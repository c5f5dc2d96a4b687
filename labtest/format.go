package labtest

import (
	"strconv"
	"time"

	"raftlabs/labtest/internal/words"
)

// How failures write servers, times and lists, the same everywhere: package
// words, under the names the harness's files use.

// serverName is a server's name in every message: "s0", "s1", ...
func serverName(i int) string { return words.Server(i) }

// seconds formats a duration on the test's clock, e.g. "12.40s".
func seconds(d time.Duration) string { return words.Seconds(d) }

// serverList formats server numbers as "[s1 s3]".
func serverList(servers []int) string { return words.Servers(servers) }

// indent prefixes every line of s with prefix.
func indent(s, prefix string) string { return words.Indent(s, prefix) }

// commandText shows a command in a failure, shortening long ones.
func commandText(cmd any) string { return words.Command(cmd) }

// itoa formats a seed.
func itoa(n int64) string { return strconv.FormatInt(n, 10) }
