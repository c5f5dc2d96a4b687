package grading

import (
	"slices"
	"strings"
)

// A submission's builds and test processes start from a minimal
// environment, not the grader's: an instructor's shell may hold tokens and
// passwords, and a test that panics with os.Getenv("SOME_SECRET") would
// put them into results.json. (os.Getenv stays allowed: MIT's debug logger
// reads VERBOSE, and a student's own go test run gets the whole
// environment.)

// testVars are the variables a test process keeps: what Go's runtime and
// the race detector read, the harness's own (RAFTLABS_*, by prefix), and
// where temporary files go.
var testVars = []string{
	"PATH", "HOME", "TMPDIR", "LANG", "LC_ALL",
	"GORACE", "GOMAXPROCS", "GODEBUG", "GOTRACEBACK", "GOGC", "GOMEMLIMIT",
}

// buildVars are the variables a build keeps besides testVars: what the go
// command and the C toolchain it uses for -race read (the go command's own
// GO* variables, none of which has an underscore, and every CGO_*, as
// well), where they cache, and how they reach the module proxy. No code of
// the submission runs in a build.
var buildVars = []string{
	"CC", "CXX", "AR", "PKG_CONFIG",
	"XDG_CACHE_HOME", "XDG_CONFIG_HOME",
	"HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy",
	"SSL_CERT_FILE", "SSL_CERT_DIR",
}

// TestEnv returns the environment a submission's test process starts from:
// of env (the grader's, os.Environ), only what Go and the harness need.
func TestEnv(env []string) []string {
	return keepVars(env, func(name string) bool {
		return slices.Contains(testVars, name) || strings.HasPrefix(name, "RAFTLABS_")
	})
}

// BuildEnv returns the environment the go command builds a submission
// with: of env, what TestEnv keeps and what the go command needs.
func BuildEnv(env []string) []string {
	return keepVars(env, func(name string) bool {
		return slices.Contains(testVars, name) || strings.HasPrefix(name, "RAFTLABS_") ||
			slices.Contains(buildVars, name) || isGoVar(name) || strings.HasPrefix(name, "CGO_")
	})
}

// isGoVar reports whether name is one of the go command's settings, such
// as GOCACHE or GO111MODULE: not GOOGLE_APPLICATION_CREDENTIALS.
func isGoVar(name string) bool {
	return strings.HasPrefix(name, "GO") && !strings.Contains(name, "_")
}

// keepVars returns the NAME=value entries of env whose name keep accepts.
func keepVars(env []string, keep func(name string) bool) []string {
	kept := []string{}
	for _, kv := range env {
		if name, _, ok := strings.Cut(kv, "="); ok && keep(name) {
			kept = append(kept, kv)
		}
	}
	return kept
}
