package grading

import (
	"maps"
	"slices"
	"strings"
)

// The allowlist says which packages a student's files may import. It is
// built from what a package can do, not from what a Raft is expected to
// need: every package of the standard library is allowed unless it
// reaches something a submission must not, in its own API:
//
//   - the file system (a file's or folder's name in, its content out),
//   - other processes, system calls or the process's own exit and signals,
//   - the network,
//   - memory by address (unsafe, cgo),
//   - other code's values, unexported fields included (reflect),
//   - the runtime's internals (the heap, the scheduler, profiles),
//   - the testing machinery, or the test binary's flags, which the harness
//     reads its settings from.
//
// A package that uses such a thing only inside, on the values its caller
// gives it, is allowed: encoding/json and encoding/gob reflect on the
// values they are asked to encode, and only on their exported fields,
// which the caller could read anyway; fmt prints any value but can neither
// write it nor follow an address it prints; time reads the time zone
// database, not a file of the caller's choosing. A few packages are
// allowed in part (restrictedImports): the members of os, runtime and
// path/filepath that debug loggers use and that reach nothing.
//
// The rules below are checked in order, and the first that matches an
// import path decides; docs/instructors.md's table of them is generated
// from them (TestAllowlistTableIsCurrent), and a test checks each against
// the packages of `go list std`.

// An importRule allows or denies the standard packages it matches: one
// path, or with "/..." every package under it as well.
type importRule struct {
	pattern string
	denied  string // why the packages may not be imported; "" allows them
}

// standardRules decide which standard packages a submission may import.
var standardRules = []importRule{
	{"unsafe", "it reads and writes memory by address"},
	{"runtime/...", "it reaches the runtime's internals (the heap, the scheduler, profiles, cgo)"},
	{"reflect", "it reaches other code's values, unexported fields included"},
	{"syscall/...", "it makes system calls"},
	{"os/...", "it starts processes, handles signals or reads the system's users"},
	{"plugin", "it loads code from files"},
	{"embed", "it puts the submission's files into the binary"},
	{"testing/...", "it is the tests' own machinery"},
	{"flag", "it reaches the test binary's flags, the harness's settings among them"},
	{"expvar", "it publishes the process's variables over HTTP"},
	{"io/ioutil", "it reads and writes files"},
	{"archive/zip", "it opens files by name (OpenReader)"},
	{"debug/dwarf", ""}, // reads the bytes it is given
	{"debug/gosym", ""},
	{"debug/...", "it opens executables by name, the grader's among them"},
	{"go/build/constraint", ""}, // parses a line it is given
	{"go/build", "it reads folders and runs the go command"},
	{"go/importer", "it reads compiled packages from files"},
	{"go/parser", "it reads source files by name (ParseFile, ParseDir)"},
	{"text/template", "it reads files by name (ParseFiles, ParseGlob)"},
	{"html/template", "it reads files by name (ParseFiles, ParseGlob)"},
	{"mime", "it reads the system's MIME type files"},
	{"mime/multipart", "it writes large forms to temporary files"},
	{"crypto/tls", "it reaches the network and reads key files"},
	{"crypto/x509", "it reads the system's certificate files"},
	{"log/syslog", "it reaches the system log over a socket"},
	{"net/mail", ""}, // parsers of addresses and URLs: no network
	{"net/netip", ""},
	{"net/url", ""},
	{"net/...", "it reaches the network"},
}

// restrictedImports are the standard packages a submission may import
// but of which it may use only the members listed: what debug loggers use
// (MIT's reads VERBOSE from the environment and prints to standard error,
// with the caller's file and line).
var restrictedImports = map[string][]string{
	"os": {"Getenv", "LookupEnv", "Stderr", "Stdout"},
	"path/filepath": {"Base", "Clean", "Dir", "Ext", "FromSlash", "IsAbs", "IsLocal", "Join", "ListSeparator",
		"Match", "Rel", "Separator", "Split", "SplitList", "ToSlash", "VolumeName"},
	"runtime": {"Caller", "Callers", "CallersFrames", "Frame", "Frames", "Func", "FuncForPC",
		"GOMAXPROCS", "Gosched", "KeepAlive", "NumCPU", "NumGoroutine", "Stack"},
}

// courseImports are the course's packages a submission may import: the
// contract, the network, the codec and the debug logger. The rest of the
// course (the harness, the grader, the reference) is not.
var courseImports = []string{"raftlabs/labdebug", "raftlabs/labgob", "raftlabs/labrpc", "raftlabs/raftapi"}

// ImportRule says whether a student's file may import the package path:
// denied is why not, or "" if it may; members, if not nil, are the only
// members of the package it may use.
func ImportRule(path string) (members []string, denied string) {
	first, _, _ := strings.Cut(path, "/")
	switch {
	case slices.Contains(courseImports, path):
		return nil, ""
	case first == Module:
		return nil, "of the course's packages a submission may import only " + strings.Join(courseImports, ", ")
	case strings.Contains(first, "."):
		return nil, "a submission may import only the standard library and " + strings.Join(courseImports, ", ")
	case restrictedImports[path] != nil:
		return restrictedImports[path], ""
	}
	for _, r := range standardRules {
		if r.matches(path) {
			return nil, r.denied
		}
	}
	return nil, ""
}

func (r importRule) matches(path string) bool {
	if prefix, ok := strings.CutSuffix(r.pattern, "/..."); ok {
		return path == prefix || strings.HasPrefix(path, prefix+"/")
	}
	return path == r.pattern
}

// AllowedList returns the allowlist in words, for messages.
func AllowedList() string {
	return "the standard library less what reaches files, processes, the network, memory by address, " +
		"reflection, the runtime's internals or the tests (grading/allowlist.go lists each package and why), " +
		"with only some members of " + strings.Join(slices.Sorted(maps.Keys(restrictedImports)), ", ") +
		"; and " + strings.Join(courseImports, ", ")
}
