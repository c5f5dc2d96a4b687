package main

import (
	"os"
	"strings"

	"golang.org/x/tools/go/analysis/multichecker"

	"raftlabs/labvet"
)

func main() {
	os.Args = withoutTests(os.Args)
	multichecker.Main(labvet.Analyzers...)
}

// withoutTests adds -test=false to a standalone run's arguments unless
// they set -test themselves: a lab folder's test files are the course's,
// which labvet does not check, and loading them costs seconds. Under go vet
// (a .cfg file, -flags or -V) the arguments are left alone.
func withoutTests(args []string) []string {
	for _, a := range args[1:] {
		if strings.HasSuffix(a, ".cfg") || a == "-flags" || strings.HasPrefix(a, "-V") ||
			a == "-test" || a == "--test" || strings.HasPrefix(a, "-test=") || strings.HasPrefix(a, "--test=") {
			return args
		}
	}
	return append([]string{args[0], "-test=false"}, args[1:]...)
}
