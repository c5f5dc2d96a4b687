package stacks

import (
	"fmt"
	"slices"
	"strings"

	"raftlabs/labtest/internal/words"
)

// What the harness reads in a goroutine's stack: whose code it runs, what
// it waits for, and why it may stop a test's virtual clock.

// frames returns the function line of each frame of g's stack, innermost
// first, such as "raftlabs/labrpc.(*ClientEnd).Call(0xc000010000, ...)".
//
// Goroutines are told apart by these lines only, never by file names: a
// //line directive lets a file claim any name, such as
// internal/synctest.go, while a function's name always starts with its
// package's path, and the code under test can define no function outside
// its own package (raftlabs/lab2-replication.*).
func (g Goroutine) frames() []string {
	var frames []string
	for _, line := range strings.Split(Body(g.Stack), "\n") {
		if line == "" || strings.HasPrefix(line, "\t") || strings.HasPrefix(line, "created by ") {
			continue
		}
		frames = append(frames, line)
	}
	return frames
}

// Calls reports whether the function fn, written with the opening
// parenthesis of its arguments ("raftlabs/labrpc.(*ClientEnd).Call("), is
// one of g's frames.
func (g Goroutine) Calls(fn string) bool {
	return slices.ContainsFunc(g.frames(), func(frame string) bool { return strings.HasPrefix(frame, fn) })
}

// IsHarness reports whether g only waits inside the synctest machinery,
// or is a network's handler goroutine waiting for its server's next call
// (labrpc's SetHandlerReuse), rather than running code under test.
func (g Goroutine) IsHarness() bool {
	return g.Calls("testing/synctest.testingSynctestTest(") || g.Calls("internal/synctest.Run(") || g.isIdleHandler()
}

// isIdleHandler reports whether g is a handler goroutine of labrpc between
// two calls: one that is serving a call runs the handler (method.serve),
// and is the code under test's.
func (g Goroutine) isIdleHandler() bool {
	return g.Calls("raftlabs/labrpc.(*Network).handlerLoop(") && !g.Calls("raftlabs/labrpc.(*method).serve(")
}

// why explains, in the course's words, why g keeps virtual time from moving.
func (g Goroutine) why() string {
	switch {
	case g.CanRun():
		return "it never blocks: a loop that does not sleep (a busy loop, runtime.Gosched, or select with a default case)"
	case strings.Contains(g.Status, "Mutex") || strings.Contains(g.Status, "RWMutex"):
		return "it waits for a mutex whose holder is sleeping, waiting for an RPC reply or sending on a channel: " +
			"never hold rf.mu across time.Sleep, Call or a channel send"
	default:
		return "it is blocked on something outside the test's virtual clock (a channel or lock made outside the test, or I/O)"
	}
}

// isSuspectHolder reports whether g may be holding a lock while blocked:
// it sleeps, waits in an RPC, or sends on a channel.
func (g Goroutine) isSuspectHolder() bool {
	if strings.HasPrefix(g.Status, "chan send") || g.Calls("raftlabs/labrpc.(*ClientEnd).Call(") {
		return true
	}
	// A sleep counts unless the harness itself sleeps (a scenario's Sleep,
	// a staggered boot).
	frames := g.frames()
	for k, frame := range frames {
		if strings.HasPrefix(frame, "time.Sleep(") {
			if k+1 >= len(frames) {
				return true
			}
			caller := framePackage(frames[k+1])
			return !isTheHarness(caller)
		}
	}
	return false
}

// DescribeStuck explains why a bubble's virtual clock stopped, from a
// dump of its goroutines, the names of the servers' Raft pointers (may be
// nil) and the retry storms the test's RPCs show (may be ""): a storm is
// told as one (who sent how many of what to whom, and the rule), and a
// goroutine that may hold a lock is listed first when it belongs to the
// server whose lock another goroutine waits for.
func DescribeStuck(gs []Goroutine, names ServerPointers, storms string) string {
	var b strings.Builder
	if storms != "" {
		b.WriteString("retry storm: the servers send RPCs over and over at one instant, so the clock cannot move:\n")
		b.WriteString(words.Indent(storms, "  "))
		b.WriteString("\n")
	}
	var culprits, holders []Goroutine
	for _, g := range gs {
		if g.IsHarness() {
			continue
		}
		if !g.Durable {
			culprits = append(culprits, g)
		} else if g.isSuspectHolder() {
			holders = append(holders, g)
		}
	}
	if len(culprits) == 0 && storms == "" {
		b.WriteString("no goroutine of the test is running, yet virtual time did not advance\n")
	}
	// The servers whose lock a culprit waits for.
	waitedFor := map[string]bool{}
	for _, g := range culprits {
		if r := g.receiver(); g.waitsForServerLock() && r != "" {
			waitedFor[r] = true
		}
	}
	listed := 0
	for _, grp := range groupStacks(culprits, names) {
		g := grp.first
		why := g.why()
		if storms != "" && (g.CanRun() || !g.waitsForServerLock()) {
			why = "it is running, part of the storm above"
		}
		if !listGroup(&b, &listed, grp) {
			break
		}
		fmt.Fprintf(&b, "goroutine %d%s (%s)%s stops virtual time: %s\n%s\n", g.ID, names.of(g), g.Status, grp.others(), why, words.Indent(g.Stack, "    "))
	}
	// Suspects matter only if a goroutine waits for a lock. Holders of the
	// same server as a waiter come first: the likely culprits.
	if len(waitedFor) == 0 {
		holders = nil
	}
	slices.SortStableFunc(holders, func(x, y Goroutine) int {
		return boolRank(waitedFor[y.receiver()]) - boolRank(waitedFor[x.receiver()])
	})
	for _, grp := range groupStacks(holders, names) {
		g := grp.first
		what := "may be holding the lock"
		if r := g.receiver(); r != "" && waitedFor[r] {
			what += ", the likeliest holder: it belongs to the server whose lock is waited for, and it " + g.blockedIn()
		}
		if !listGroup(&b, &listed, grp) {
			break
		}
		fmt.Fprintf(&b, "goroutine %d%s (%s)%s %s:\n%s\n", g.ID, names.of(g), g.Status, grp.others(), what, words.Indent(g.Stack, "    "))
	}
	return b.String()
}

func boolRank(v bool) int {
	if v {
		return 1
	}
	return 0
}

// blockedIn names what a suspect holder is blocked in.
func (g Goroutine) blockedIn() string {
	switch {
	case strings.HasPrefix(g.Status, "chan send"):
		return "sends on a channel"
	case g.Calls("raftlabs/labrpc.(*ClientEnd).Call("):
		return "waits for an RPC reply (Call)"
	default:
		return "sleeps"
	}
}

// receiver returns the receiver pointer of the innermost method of the code
// under test on g's stack, such as "0xc000010000" for
// "raftlabs/lab1-election.(*Raft).ticker(0xc000010000)", or "". Two
// goroutines with the same receiver work on the same server.
func (g Goroutine) receiver() string {
	for _, frame := range g.frames() {
		fn, args, ok := strings.Cut(frame, ".(*")
		if !ok || isHarnessPackage(fn) || isStandardPackage(framePackage(frame)) {
			continue
		}
		_, args, ok = strings.Cut(args, "(")
		if !ok {
			continue
		}
		ptr, _, _ := strings.Cut(args, ",")
		ptr = strings.TrimSuffix(ptr, ")")
		if strings.HasPrefix(ptr, "0x") {
			return ptr
		}
	}
	return ""
}

// waitsForServerLock reports whether g waits for a mutex of the code under
// test, rather than one of the network's or the harness's: the first frame
// outside the standard library is not the course's machinery.
func (g Goroutine) waitsForServerLock() bool {
	if !strings.Contains(g.Status, "Mutex") {
		return false
	}
	pkg, ok := g.innermostPackage()
	return ok && !isHarnessPackage(pkg)
}

// InHarness reports whether g is running the course's own code (the
// network or the harness, say decoding a large RPC for the history) rather
// than code under test: the innermost frame outside the standard library
// is the course's.
func (g Goroutine) InHarness() bool {
	pkg, ok := g.innermostPackage()
	return ok && isHarnessPackage(pkg)
}

// innermostPackage returns the package of g's innermost frame outside the
// standard library.
func (g Goroutine) innermostPackage() (string, bool) {
	for _, frame := range g.frames() {
		if pkg := framePackage(frame); !isStandardPackage(pkg) {
			return pkg, true
		}
	}
	return "", false
}

// framePackage returns the path of the package of a frame's function:
// "raftlabs/lab1-election" for "raftlabs/lab1-election.(*Raft).ticker(0xc0)".
func framePackage(frame string) string {
	slash := strings.LastIndex(frame, "/") + 1
	name, _, _ := strings.Cut(frame[slash:], ".")
	return frame[:slash] + name
}

// isStandardPackage reports whether a package path is the standard
// library's: its first element is not this module's and has no dot, as a
// module's domain name does.
func isStandardPackage(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return first != "raftlabs" && !strings.Contains(first, ".")
}

// ServerPointers maps each running server's Raft pointer, as stack traces
// print it, to its name.
type ServerPointers map[string]string

// of returns " of s2" for a goroutine that works on server s2, or "".
func (p ServerPointers) of(g Goroutine) string {
	if name, ok := p[g.receiver()]; ok {
		return " of " + name
	}
	return ""
}

// DescribeBlocked lists the goroutines of a test that cannot go on,
// with what each waits for, for a deadlock or a test that never ends. names
// (may be nil) names each goroutine's server.
func DescribeBlocked(gs []Goroutine, names ServerPointers) string {
	var b strings.Builder
	var students []Goroutine
	for _, g := range gs {
		if !g.IsHarness() {
			students = append(students, g)
		}
	}
	listed := 0
	for _, grp := range groupStacks(students, names) {
		if !listGroup(&b, &listed, grp) {
			break
		}
		g := grp.first
		fmt.Fprintf(&b, "goroutine %d%s%s is blocked in %s:\n%s\n", g.ID, names.of(g), grp.others(), g.Status, words.Indent(g.Stack, "    "))
	}
	return b.String()
}

// A stackGroup is goroutines stopped at the same lines of the same
// functions: a thousand RPC goroutines blocked on one lock are one story,
// told once.
type stackGroup struct {
	first Goroutine // the first of them, whose stack is shown
	more  int       // how many others share its stack
	rest  int       // goroutines in this group and every later one
}

// others says how many more goroutines the group stands for, if any.
func (g stackGroup) others() string {
	if g.more == 0 {
		return ""
	}
	return fmt.Sprintf(" and %d more with the same stack", g.more)
}

// groupStacks groups the goroutines of each server (as names tells them)
// by stackShape, in the order each group first appears.
func groupStacks(gs []Goroutine, names ServerPointers) []stackGroup {
	var groups []stackGroup
	index := map[string]int{}
	for _, g := range gs {
		shape := names.of(g) + "\n" + stackShape(g.Status, g.Stack)
		if k, ok := index[shape]; ok {
			groups[k].more++
			continue
		}
		index[shape] = len(groups)
		groups = append(groups, stackGroup{first: g})
	}
	rest := 0
	for k := len(groups) - 1; k >= 0; k-- {
		rest += 1 + groups[k].more
		groups[k].rest = rest
	}
	return groups
}

// stackShape is a stack without what differs between goroutines that run
// the same code: argument values, pc offsets and goroutine numbers.
func stackShape(status, stack string) string {
	var b strings.Builder
	b.WriteString(status)
	for _, line := range strings.Split(Body(stack), "\n") {
		if strings.HasPrefix(line, "\t") {
			line, _, _ = strings.Cut(line, " +0x")
		} else if k := strings.LastIndexByte(line, '('); k > 0 && !strings.HasPrefix(line, "created by ") {
			line = line[:k]
		} else {
			line, _, _ = strings.Cut(line, " in goroutine ")
		}
		b.WriteString("\n" + line)
	}
	return b.String()
}

// maxStacksListed is how many distinct stacks a report shows: enough for
// every goroutine of a few servers, and a bound on the report's size when
// a Raft starts goroutines without end.
const maxStacksListed = 12

// listGroup counts grp as listed, or, past maxStacksListed, writes how
// many goroutines are left out and reports false.
func listGroup(b *strings.Builder, listed *int, grp stackGroup) bool {
	if *listed == maxStacksListed {
		fmt.Fprintf(b, "(%d more goroutines not shown)\n", grp.rest)
		*listed++
		return false
	}
	if *listed > maxStacksListed {
		return false
	}
	*listed++
	return true
}

// Body is a goroutine's stack without its header line, which carries how
// long it has waited.
func Body(stack string) string {
	_, rest, _ := strings.Cut(stack, "\n")
	return rest
}
