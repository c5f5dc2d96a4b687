package grading

import (
	"errors"
	"flag"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// capabilities are the standard packages through which the capabilities
// the allowlist keeps out are reached. An allowed package that imports one
// of them must be in reviewed, with why its own API does not pass the
// capability on.
var capabilities = []string{"os", "os/exec", "syscall", "net", "path/filepath", "io/ioutil", "reflect", "runtime/debug"}

// reviewed are the allowed standard packages that import a capability,
// each with why that is safe.
var reviewed = map[string]string{
	"archive/tar":         "it names entries from the fs.FileInfo it is given (filepath); it reads and writes the streams it is given",
	"database/sql":        "it reflects on the values it is given; no driver is registered, so it opens nothing",
	"database/sql/driver": "it reflects on the values it is given",
	"encoding/asn1":       "it reflects on the values it is given, on their exported fields",
	"encoding/binary":     "it reflects on the values it is given: fixed-size data only",
	"encoding/gob":        "it reflects on the values it is given, on their exported fields; labgob wraps it",
	"encoding/json":       "it reflects on the values it is given, on their exported fields",
	"encoding/xml":        "it reflects on the values it is given, on their exported fields",
	"fmt":                 "it prints to standard output (os) and prints any value, but can neither change it nor follow an address it prints",
	"go/ast":              "it prints the syntax trees it is given, to standard output (os)",
	"go/printer":          "it prints the syntax trees it is given",
	"go/scanner":          "it prints errors with their file names (filepath); it scans the source it is given",
	"go/types":            "it checks the syntax trees it is given; with no importer it reads no package",
	"log":                 "it prints to standard error (os); log.Fatal ends the process, which the report pipe counts as a failure",
	"log/slog":            "it reflects on the values it is given",
	"net/mail":            "it parses addresses (net for IP literals); it opens no connection",
	"text/scanner":        "it prints errors to standard error (os); it scans the text it is given",
	"time":                "it reads the system's time zone database (syscall) for LoadLocation, which takes a zone's name, not a path",
	"time/tzdata":         "it embeds the time zone database",
}

// standardPackages returns `go list std`'s packages that a program may
// import (no internal or vendor ones), each with its imports.
func standardPackages(t *testing.T) map[string][]string {
	t.Helper()
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", "std").Output()
	require.NoError(t, err)
	pkgs := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		path := fields[0]
		if slices.Contains(strings.Split(path, "/"), "internal") || strings.HasPrefix(path, "vendor/") {
			continue
		}
		pkgs[path] = fields[1:]
	}
	return pkgs
}

func TestAllowlistAgainstTheStandardLibrary(t *testing.T) {
	std := standardPackages(t)
	require.Contains(t, std, "math/bits")

	// Every rule matches some package: none is stale.
	for _, r := range standardRules {
		assert.True(t, slices.ContainsFunc(slices.Collect(maps.Keys(std)), r.matches), "the rule %q matches no standard package", r.pattern)
	}
	// An allowed package that imports a capability has been reviewed.
	for path, imports := range std {
		if _, denied := ImportRule(path); denied != "" || restrictedImports[path] != nil {
			continue
		}
		for _, imp := range imports {
			if slices.Contains(capabilities, imp) {
				_, ok := reviewed[path]
				assert.True(t, ok, "%s is allowed and imports %s: review it (reviewed, or a rule in standardRules)", path, imp)
				break
			}
		}
	}
	for path := range reviewed {
		_, denied := ImportRule(path)
		assert.Empty(t, denied, "%s is reviewed as allowed but a rule denies it", path)
	}

	for _, path := range []string{"math/bits", "unicode", "unicode/utf8", "container/ring", "encoding/binary",
		"encoding/json", "encoding/gob", "hash/crc32", "hash/fnv", "crypto/sha256", "strings", "sort", "bufio", "net/url", "io/fs"} {
		members, denied := ImportRule(path)
		assert.Empty(t, denied, path)
		assert.Nil(t, members, path)
	}
	for _, path := range []string{"reflect", "unsafe", "os/exec", "os/signal", "syscall", "net", "net/http", "net/http/httptest",
		"runtime/debug", "runtime/pprof", "testing", "testing/synctest", "io/ioutil", "flag", "embed", "plugin", "debug/elf",
		"go/build", "text/template", "crypto/tls"} {
		_, denied := ImportRule(path)
		assert.NotEmpty(t, denied, path)
	}
	for _, path := range []string{"os", "runtime", "path/filepath"} {
		members, denied := ImportRule(path)
		assert.Empty(t, denied, path)
		assert.NotEmpty(t, members, path)
	}
}

var update = flag.Bool("update", false, "rewrite docs/instructors.md's allowlist table")

// TestAllowlistTableIsCurrent checks that docs/instructors.md's table of
// the allowlist is the one the rules make; with -update it writes it.
func TestAllowlistTableIsCurrent(t *testing.T) {
	root, err := FindRoot(".")
	require.NoError(t, err)
	path := filepath.Join(root, "docs", "instructors.md")
	doc, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skip("no docs/instructors.md: this is the students' copy, and the table is checked in the course")
	}
	require.NoError(t, err)
	const start, end = "<!-- the allowlist's table: go test ./grading -run TestAllowlistTableIsCurrent -update -->\n", "<!-- end of the table -->\n"
	before, rest, ok := strings.Cut(string(doc), start)
	require.True(t, ok, "docs/instructors.md has no line %q", start)
	_, after, ok := strings.Cut(rest, end)
	require.True(t, ok, "docs/instructors.md has no line %q", end)
	want := allowlistTable()
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(before+start+want+end+after), 0o644))
		return
	}
	got := rest[:len(rest)-len(end)-len(after)]
	assert.Equal(t, want, got,
		"docs/instructors.md's allowlist table is not the rules': go test ./grading -run TestAllowlistTableIsCurrent -update")
}

// allowlistTable is the allowlist's table in Markdown.
func allowlistTable() string {
	var b strings.Builder
	b.WriteString("| packages | allowed? |\n|---|---|\n")
	for _, path := range slices.Sorted(maps.Keys(restrictedImports)) {
		b.WriteString("| `" + path + "` | only " + code(restrictedImports[path]) + " |\n")
	}
	for _, r := range standardRules {
		verdict := "no: " + r.denied
		if r.denied == "" {
			verdict = "yes"
		}
		b.WriteString("| `" + r.pattern + "` | " + verdict + " |\n")
	}
	b.WriteString("| every other standard package | yes |\n")
	b.WriteString("| " + code(courseImports) + " | yes: the course's contract, network, codec and debug logger |\n")
	b.WriteString("| every other package of the course (`raftlabs/...`) or of another module | no |\n")
	return b.String()
}

// code writes each word as code: "`a`, `b`".
func code(words []string) string {
	return "`" + strings.Join(words, "`, `") + "`"
}
