package grading

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"raftlabs/labtest"
	"raftlabs/labtest/testrun"
)

// Source says whose Raft a lab's test binary is built from.
type Source struct {
	// Reference builds the lab against the reference solution: the lab
	// folder's own non-test files are left out and Make comes from
	// raftlabs/solutions.
	Reference bool

	// Replace maps a file's path, relative to the repository's root, to the
	// content it is built with instead (a buggy variant of a reference file).
	Replace map[string][]byte
}

// BuildOptions are how a binary is built.
type BuildOptions struct {
	Dir     string        // where the binary and any overlay files go; required
	Race    bool          // build with the race detector
	Timeout time.Duration // real-time bound for the go command; 0 means 10 minutes

	// Context, if not nil, stops the build when it is done: the grader
	// cancels it when it is interrupted.
	Context context.Context

	// Limits are the go command's resource limits, and its compiler's and
	// linker's (BuildLimits for a submission); the zero value sets none.
	Limits testrun.Limits
}

// BuildLimits are the grader's limits on building a submission: a build of
// the course takes well under 1 GiB and writes files of a few tens of MB;
// a package with a huge initialised array (a 512 MiB one put 1 GB into the
// build cache) fails to build, with the file-size limit named, and leaves
// nothing in the cache. Each process the go command starts (the compiler,
// the linker) has the limits of its own.
var BuildLimits = testrun.Limits{Memory: 4 << 30, CPU: 10 * time.Minute, FileSize: 256 << 20}

// limitedCommand returns a command that runs name with args under limits:
// through the shell's ulimit, which sets the limits (soft and hard) on the
// shell, which then becomes the command (exec), on Linux and macOS alike.
func limitedCommand(ctx context.Context, limits testrun.Limits, name string, args ...string) *exec.Cmd {
	var ulimits []string
	if limits.CPU > 0 {
		ulimits = append(ulimits, fmt.Sprintf("ulimit -t %d", int64(limits.CPU.Seconds())))
	}
	if limits.Memory > 0 {
		// KiB. macOS's shells may refuse it (it does not enforce it
		// anyway): the build then goes on without.
		ulimits = append(ulimits, fmt.Sprintf("{ ulimit -v %d 2>/dev/null || :; }", limits.Memory>>10))
	}
	if limits.FileSize > 0 {
		ulimits = append(ulimits, fmt.Sprintf("ulimit -f %d", limits.FileSize>>9)) // 512-byte blocks
	}
	if len(ulimits) == 0 {
		return exec.CommandContext(ctx, name, args...)
	}
	script := strings.Join(append(ulimits, `exec "$@"`), " && ")
	return exec.CommandContext(ctx, "/bin/sh", append([]string{"-c", script, "sh", name}, args...)...)
}

// referenceShim is the one file a lab folder holds when it is built
// against the reference solution.
const referenceShim = `package raft

import (
	"raftlabs/labrpc"
	"raftlabs/raftapi"
	"raftlabs/solutions"
)

// Make starts the reference solution's Raft.
func Make(peers []*labrpc.ClientEnd, me int, persister *raftapi.Persister, applyCh chan raftapi.ApplyMsg) *solutions.Raft {
	return solutions.Make(peers, me, persister, applyCh)
}
`

// kvLab is the lab whose folder also holds a key/value service on Raft.
const kvLab = 5

// referenceKVShim is referenceShim for lab 5's folder, which also binds
// the reference key/value service.
const referenceKVShim = `package raft

import (
	"raftlabs/labrpc"
	"raftlabs/raftapi"
	"raftlabs/solutions"
	"raftlabs/solutions/kv"
)

// Make starts the reference solution's Raft.
func Make(peers []*labrpc.ClientEnd, me int, persister *raftapi.Persister, applyCh chan raftapi.ApplyMsg) *solutions.Raft {
	return solutions.Make(peers, me, persister, applyCh)
}

// StartKVServer starts the reference key/value server.
func StartKVServer(servers []*labrpc.ClientEnd, me int, persister *raftapi.Persister, maxraftstate int) *kv.KVServer {
	return kv.StartKVServer(servers, me, persister, maxraftstate)
}

// MakeClerk makes the reference service's clerk.
func MakeClerk(servers []*labrpc.ClientEnd) *kv.Clerk { return kv.MakeClerk(servers) }
`

// StoppedFromOutside is in the error of a build that the go command ended
// without a word: not the submission's fault, so a class run grades that
// submission again when it resumes.
const StoppedFromOutside = "stopped from outside, not by a compile error"

// Build compiles lab's test binary from the repository at root and returns
// its path. A compile error is returned with the go command's output and a
// word on what the lab expects.
func Build(root string, lab labtest.Lab, src Source, opts BuildOptions) (string, error) {
	if opts.Dir == "" {
		return "", errors.New("grading.Build: BuildOptions.Dir is empty; it names the folder for the binary")
	}
	root, err := filepath.Abs(root)
	if err != nil {
		return "", err
	}
	labDir := filepath.Join(root, lab.Dir)
	replace := map[string]string{}
	writeFile := func(name string, content []byte) (string, error) {
		path := filepath.Join(opts.Dir, name)
		return path, os.WriteFile(path, content, 0o644)
	}

	if src.Reference {
		entries, err := os.ReadDir(labDir)
		if err != nil {
			return "", err
		}
		for _, e := range entries {
			if name := e.Name(); labtest.IsStudentFile(name) {
				replace[filepath.Join(labDir, name)] = "" // left out
			}
		}
		text := referenceShim
		if lab.Number == kvLab {
			text = referenceKVShim
		}
		shim, err := writeFile(lab.Dir+"-reference.go", []byte(text))
		if err != nil {
			return "", err
		}
		replace[filepath.Join(labDir, "zz_reference.go")] = shim
	}
	for rel, content := range src.Replace {
		path, err := writeFile(strings.ReplaceAll(rel, "/", "_"), content)
		if err != nil {
			return "", err
		}
		replace[filepath.Join(root, rel)] = path
	}

	bin := filepath.Join(opts.Dir, lab.Dir+".test")
	// -trimpath keeps folder names out of the build: a submission graded in a
	// fresh copy of the course then reuses the build cache of the last one.
	args := []string{"test", "-c", "-trimpath", "-o", bin}
	if opts.Race {
		args = append(args, "-race")
	}
	if len(replace) > 0 {
		overlay, err := json.Marshal(map[string]any{"Replace": replace})
		if err != nil {
			return "", err
		}
		path, err := writeFile(lab.Dir+"-overlay.json", overlay)
		if err != nil {
			return "", err
		}
		args = append(args, "-overlay", path)
	}
	args = append(args, "./"+lab.Dir)

	if opts.Timeout == 0 {
		opts.Timeout = 10 * time.Minute
	}
	parent := opts.Context
	if parent == nil {
		parent = context.Background()
	}
	ctx, cancel := context.WithTimeout(parent, opts.Timeout)
	defer cancel()
	cmd := limitedCommand(ctx, opts.Limits, "go", args...)
	cmd.Dir = root
	// The go command's own temporary files go into opts.Dir too, which the
	// caller removes, so that a build stopped half-way leaves nothing in
	// the system's temporary folder.
	gotmp := filepath.Join(opts.Dir, lab.Dir+"-gotmp")
	if err := os.MkdirAll(gotmp, 0o755); err != nil {
		return "", err
	}
	cmd.Env = append(BuildEnv(os.Environ()), "GOTMPDIR="+gotmp)
	// Stopped, the go command is asked to stop as Ctrl-C asks it, so that it
	// removes its work folder; killed only if it has not stopped 5 s later.
	stopGently(cmd)
	cmd.WaitDelay = 5 * time.Second // the compiler's children may hold the output pipe
	out, err := cmd.CombinedOutput()
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return "", fmt.Errorf("building %s took longer than %v; gave up", lab.Dir, opts.Timeout)
	}
	if parent.Err() != nil {
		return "", fmt.Errorf("building %s: %w", lab.Dir, parent.Err())
	}
	if err != nil && strings.TrimSpace(string(out)) == "" {
		// A compile error always has the compiler's words; a go command
		// that ends without a word was ended from outside: a signal sent
		// to it (not to the grader), or the machine's out-of-memory killer.
		return "", fmt.Errorf("building %s failed before the go command printed anything (%v): it was %s; grade it again",
			lab.Dir, err, StoppedFromOutside)
	}
	if err != nil {
		return "", fmt.Errorf("%s does not compile:\n%s\n%s", lab.Dir, strings.TrimSpace(string(out)), compileHint(string(out), opts.Limits))
	}
	return bin, nil
}

// compileHint explains the compile errors students meet most.
func compileHint(out string, limits testrun.Limits) string {
	switch {
	case strings.Contains(out, "undefined: Make"):
		return "The tests call Make(peers []*labrpc.ClientEnd, me int, persister *raftapi.Persister, " +
			"applyCh chan raftapi.ApplyMsg) returning *Raft or raftapi.Raft: keep that function in raft.go."
	case strings.Contains(out, "does not satisfy raftapi.Raft"), strings.Contains(out, "in argument to labtest.Run"):
		return "Make must return a value with the methods Start, GetState, Snapshot and Kill (raftapi.Raft), " +
			"and take (peers []*labrpc.ClientEnd, me int, persister *raftapi.Persister, applyCh chan raftapi.ApplyMsg)."
	case strings.Contains(out, "raftlabs/solutions") && strings.Contains(out, "is not in std"),
		strings.Contains(out, "no required module provides package raftlabs/solutions"):
		return "The reference solution (solutions/) is not in this copy of the course, so it cannot be graded."
	case strings.Contains(out, "file too large"), strings.Contains(out, "File size limit exceeded"):
		return fmt.Sprintf("The build wrote a file larger than the grader's %s limit: "+
			"does a package hold a huge initialised array or string?", testrun.Size(limits.FileSize))
	case strings.Contains(out, "-race requires cgo"):
		return "The race detector needs cgo: a C compiler (gcc or clang) on the PATH and CGO_ENABLED=1."
	default:
		return ""
	}
}
