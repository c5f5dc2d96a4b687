package stacks

import (
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"strings"
)

// The course's own packages, the one list by which every reader of a
// stack tells the course's code from the code under test: the watchdog's
// and the leak report's (isHarnessPackage) and a verdict's scenario line
// (ScenarioLine).

// harness is the test harness, and machinery the prefix of its machines.
const (
	harness   = "raftlabs/labtest"
	machinery = "raftlabs/labtest/internal/"
)

// beneath are the course's packages under the harness: the network, the
// codec and the trace. Their frames are never code under test, nor a
// scenario.
var beneath = []string{"raftlabs/labrpc", "raftlabs/labgob", "raftlabs/labtrace"}

// isHarnessPackage reports whether a package path is the course's own
// machinery rather than code under test.
func isHarnessPackage(path string) bool {
	return isTheHarness(path) || slices.Contains(beneath, path)
}

// isTheHarness reports whether a package path is the harness's or its
// machinery's.
func isTheHarness(path string) bool {
	return path == harness || strings.HasPrefix(path, machinery)
}

// ScenarioLine returns "lab1.go:16": the line of the scenario running on
// the calling goroutine, or of the test that ran a scenario of its own;
// "" if none is on the stack. A scenario is a labN*.go file of the harness
// or of services, the packages (such as "kvtest") that test a service on
// Raft, or a _test.go file of either; or any code outside the course's and
// Go's own.
func ScenarioLine(services []string) string {
	pcs := make([]uintptr, 64)
	n := runtime.Callers(2, pcs)
	frames := runtime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		// The harness's machinery is never a scenario.
		if isScenarioFrame(f, services) && !strings.HasPrefix(f.Function, machinery) {
			return fmt.Sprintf("%s:%d", f.File[strings.LastIndexByte(f.File, '/')+1:], f.Line)
		}
		if !more {
			return ""
		}
	}
}

// isScenarioFrame reports whether f is in a scenario, as ScenarioLine
// says.
func isScenarioFrame(f runtime.Frame, services []string) bool {
	file := f.File[strings.LastIndexByte(f.File, '/')+1:]
	if isHarnessFunction(f.Function, services) {
		return strings.HasPrefix(file, "lab") && !strings.HasSuffix(file, "_test.go") ||
			strings.HasSuffix(file, "_test.go")
	}
	outside := []string{"runtime.", "testing.", "raftlabs/raftapi."}
	for _, pkg := range beneath {
		outside = append(outside, pkg+".")
	}
	return !slices.ContainsFunc(outside, func(prefix string) bool { return strings.HasPrefix(f.Function, prefix) })
}

// isHarnessFunction reports whether the function named fn is the
// harness's, its machinery's, or that of one of services.
func isHarnessFunction(fn string, services []string) bool {
	if strings.HasPrefix(fn, harness+".") || strings.HasPrefix(fn, machinery) {
		return true
	}
	return slices.ContainsFunc(services, func(pkg string) bool { return strings.HasPrefix(fn, "raftlabs/"+pkg+".") })
}

// FuncName returns the name stacks give the function f, e.g.
// "raftlabs/labtest/internal/service.callBack" for that function: a
// name taken from the function itself, so that renaming the function
// cannot leave a reader of stacks looking for the old one.
func FuncName(f any) string {
	return runtime.FuncForPC(reflect.ValueOf(f).Pointer()).Name()
}
