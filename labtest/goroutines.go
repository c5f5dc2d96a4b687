package labtest

import (
	"bytes"
	"fmt"
	"runtime"
	"strconv"
	"strings"
)

// goroutine is one entry of a runtime.Stack dump.
type goroutine struct {
	id      int
	status  string // "running", "sync.Mutex.Lock", "sleep", ...
	durable bool   // blocked in a way that lets virtual time advance
	bubble  int    // the synctest bubble it belongs to, 0 if none
	stack   string // the whole entry, header included
}

// goroutines returns every goroutine in the process.
func goroutines() []goroutine {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return parseGoroutines(buf[:n])
		}
		buf = make([]byte, 2*len(buf))
	}
}

// currentGoroutine returns the calling goroutine's entry.
func currentGoroutine() goroutine {
	buf := make([]byte, 64<<10)
	n := runtime.Stack(buf, false)
	gs := parseGoroutines(buf[:n])
	if len(gs) == 0 {
		return goroutine{}
	}
	return gs[0]
}

// parseGoroutines parses entries like
//
//	goroutine 10 [sync.Mutex.Lock, synctest bubble 1]:
//	main.f()
//		/x/main.go:7 +0x2d
func parseGoroutines(dump []byte) []goroutine {
	var gs []goroutine
	for _, entry := range bytes.Split(dump, []byte("\n\n")) {
		text := strings.TrimSpace(string(entry))
		header, _, _ := strings.Cut(text, "\n")
		rest, ok := strings.CutPrefix(header, "goroutine ")
		if !ok {
			continue
		}
		idText, rest, _ := strings.Cut(rest, " [")
		id, err := strconv.Atoi(idText)
		if err != nil {
			continue
		}
		g := goroutine{id: id, stack: text}
		attrs := strings.Split(strings.TrimSuffix(rest, "]:"), ", ")
		g.status = attrs[0]
		if s, ok := strings.CutSuffix(g.status, " (durable)"); ok {
			g.status, g.durable = s, true
		}
		for _, a := range attrs[1:] {
			if b, ok := strings.CutPrefix(a, "synctest bubble "); ok {
				g.bubble, _ = strconv.Atoi(b)
			}
		}
		gs = append(gs, g)
	}
	return gs
}

// isHarness reports whether g only waits inside the synctest machinery
// rather than running code under test.
func (g goroutine) isHarness() bool {
	return strings.Contains(g.stack, "testing/synctest.testingSynctestTest(") ||
		strings.Contains(g.stack, "internal/synctest.Run(")
}

// why explains, in the course's words, why g keeps virtual time from moving.
func (g goroutine) why() string {
	switch {
	case g.status == "running" || g.status == "runnable":
		return "it never blocks: a loop that does not sleep (a busy loop, runtime.Gosched, or select with a default case)"
	case strings.Contains(g.status, "Mutex") || strings.Contains(g.status, "RWMutex"):
		return "it waits for a mutex whose holder is sleeping, waiting for an RPC reply or sending on a channel: " +
			"never hold rf.mu across time.Sleep, Call or a channel send"
	default:
		return "it is blocked on something outside the test's virtual clock (a channel or lock made outside the test, or I/O)"
	}
}

// isSuspectHolder reports whether g may be holding a lock while blocked:
// it sleeps, waits in an RPC, or sends on a channel.
func (g goroutine) isSuspectHolder() bool {
	if strings.HasPrefix(g.status, "chan send") || strings.Contains(g.stack, "labrpc.(*ClientEnd).Call(") {
		return true
	}
	// A sleep counts unless the harness itself sleeps (a scenario's Sleep,
	// a staggered boot): each frame is a function line and a file line, so
	// the sleeper's caller is two lines below time.Sleep.
	lines := strings.Split(g.stack, "\n")
	for k, line := range lines {
		if strings.HasPrefix(line, "time.Sleep(") {
			return k+2 >= len(lines) || !strings.HasPrefix(lines[k+2], "raftlabs/labtest.")
		}
	}
	return false
}

// indent prefixes every line of s with prefix.
func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n"+prefix)
}

// describeStuck explains why a bubble's virtual clock stopped, from a dump
// of its goroutines.
func describeStuck(gs []goroutine) string {
	var b strings.Builder
	var culprits, holders []goroutine
	for _, g := range gs {
		if g.isHarness() {
			continue
		}
		if !g.durable {
			culprits = append(culprits, g)
		} else if g.isSuspectHolder() {
			holders = append(holders, g)
		}
	}
	if len(culprits) == 0 {
		b.WriteString("no goroutine of the test is running, yet virtual time did not advance\n")
	}
	for _, g := range culprits {
		fmt.Fprintf(&b, "goroutine %d (%s) stops virtual time: %s\n%s\n", g.id, g.status, g.why(), indent(g.stack, "    "))
	}
	for _, g := range holders {
		fmt.Fprintf(&b, "goroutine %d (%s) may be holding the lock:\n%s\n", g.id, g.status, indent(g.stack, "    "))
	}
	return b.String()
}

// describeBlocked lists the goroutines of a test that cannot go on, with
// what each waits for, for a deadlock or a test that never ends.
func describeBlocked(gs []goroutine) string {
	var b strings.Builder
	for _, g := range gs {
		if g.isHarness() {
			continue
		}
		fmt.Fprintf(&b, "goroutine %d is blocked in %s:\n%s\n", g.id, g.status, indent(g.stack, "    "))
	}
	return b.String()
}
