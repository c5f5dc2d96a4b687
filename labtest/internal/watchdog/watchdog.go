package watchdog

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"raftlabs/labtest/internal/stacks"
	"raftlabs/labtest/internal/words"
)

// The watchdog has two halves. Inside the bubble, the cluster's heartbeat
// (labtest's watching.go) ticks every 10ms of the test's clock and ends a
// test that runs past labtest.VirtualTimeLimit. Outside it, Watch reads the
// heartbeat and gives up on a test whose clock has stopped or that has used
// too much real time. Nothing is done to the bubble from outside (waking a
// sync.Cond there from outside is a fatal error), so a test given up on is
// left as it is; it ends with its process, which is the test's own (see
// labtest.Run).

// Test is what the watchdog reads of one test, and how it gives up on it.
// It is declared here, where it is used: labtest's run implements it.
type Test interface {
	Beats() int64                   // ticks of the heartbeat inside the bubble, every 10ms of the test's clock
	ElapsedSeconds() float64        // the test's clock, at the latest tick
	RPCs() int64                    // RPCs the test's network has carried
	Making() int                    // 1 + the server whose Make is running, or 0
	InMake(g stacks.Goroutine) bool // g is running a server's Make
	Leaked() bool                   // goroutines were left running after the shutdown

	// Goroutines returns the test's goroutines, the harness's own
	// included; Blamable leaves the harness's own out of gs.
	Goroutines() []stacks.Goroutine
	Blamable(gs []stacks.Goroutine) []stacks.Goroutine
	// DescribeStuck explains why the clock stopped, from gs (stacks.DescribeStuck
	// with what only the cluster knows).
	DescribeStuck(gs []stacks.Goroutine) string
	// ApplyUnderLock finds, in gs, a goroutine that sends on applyCh while
	// the tests' applyCh reader of that server waits for its lock.
	ApplyUnderLock(gs []stacks.Goroutine) (sender stacks.Goroutine, server int, ok bool)

	// Abort gives up on the test with verdict. Nothing is done to the
	// bubble itself; the test ends with its process.
	Abort(verdict string)
}

// Limits are a test's limits of real time, and whether it runs on the real
// clock (then only Wallclock applies).
type Limits struct {
	Realtime  bool
	Stall     time.Duration // real time, and CPU time, a stopped clock is given before the test fails (see stall.outlasted)
	Wallclock time.Duration // real time the whole test is given
	Started   time.Time     // when the test began, in real time
}

// When the clock has stopped, how soon the watchdog can be sure why. A
// clock stopped with every goroutine of the test blocked, and nothing
// changing, cannot start again. A goroutine that is running every time we
// look, for seconds, is spinning. A flood of RPCs with the clock standing
// still is a retry storm. Anything else gets the full -stall limit.
const (
	sampleEvery   = 200 * time.Millisecond
	dumpAfter     = 400 * time.Millisecond // the clock has not moved for this long: start taking goroutine dumps
	surelyFrozen  = time.Second            // unchanged dumps of blocked goroutines for this long
	surelySpins   = time.Second            // one goroutine running in every dump for this long
	stormRPCs     = 10_000                 // RPCs sent with the clock standing still that make a storm
	stormDuration = 2 * time.Second
	crawlBeats    = 5                      // at most this many heartbeats (50ms of the test's clock) in stormDuration, with stormRPCs sent, is a storm too
	spinCPU       = 750 * time.Millisecond // CPU time burned with the clock standing still that proves a spin
)

// leakedBubbleWait is how long Watch waits, after reporting leaks, for a
// bubble whose leaked goroutines can never wake to be ended by synctest.
const leakedBubbleWait = time.Second

// Watch waits for the test to end (done, or ended when it was given up on,
// or finished when the cluster's shutdown is over), and ends it when its
// clock stops or it uses too much real time.
func Watch(t Test, lim Limits, done, ended, finished <-chan struct{}) {
	tick := time.NewTicker(sampleEvery)
	defer tick.Stop()
	lastBeats, lastMove := t.Beats(), time.Now()
	var stuck stall
	var recent []progress // the last stormDuration of real time, for crawling
	for {
		select {
		case <-done:
			return
		case <-ended:
			return
		case <-finished:
			// The bubble ends once its last goroutines return, or, when
			// those left (already reported as leaks) all wait on a Cond or a
			// channel, as soon as synctest sees that they can never wake.
			// Either way Run must wait for it: a synctest.Test still running
			// when the test function returns races with the testing
			// package's own bookkeeping. A leak that sleeps in a loop keeps
			// its bubble alive for ever; it ends with the test's process.
			wait := 2 * time.Second
			if t.Leaked() {
				wait = leakedBubbleWait
			}
			select {
			case <-done:
			case <-time.After(wait):
			}
			return
		case now := <-tick.C:
			if !lim.Realtime {
				recent = append(recent, progress{at: now, beats: t.Beats(), elapsed: t.ElapsedSeconds(), rpcs: t.RPCs()})
				for len(recent) > 1 && now.Sub(recent[1].at) >= stormDuration {
					recent = recent[1:]
				}
				if verdict := crawling(recent); verdict != "" {
					t.Abort(verdict + "\n" + t.DescribeStuck(t.Blamable(t.Goroutines())))
					return
				}
			}
			if b := t.Beats(); b != lastBeats {
				lastBeats, lastMove = b, now
				stuck = stall{}
				continue
			}
			if now.Sub(lim.Started) > lim.Wallclock {
				t.Abort(fmt.Sprintf("the test used %v of real time (its clock had reached %.2fs) without finishing: "+
					"the code under test is far too slow or spins\n%s",
					lim.Wallclock, t.ElapsedSeconds(), t.DescribeStuck(t.Blamable(t.Goroutines()))))
				return
			}
			if lim.Realtime {
				continue
			}
			still := now.Sub(lastMove)
			if still < dumpAfter {
				continue
			}
			stuck.observe(t, still)
			if verdict := stuck.verdict(t, lim, still); verdict != "" {
				t.Abort(verdict)
				return
			}
		}
	}
}

// progress is where the test's clock and its network stood at one look
// of the watchdog.
type progress struct {
	at      time.Time // real time
	beats   int64     // the cluster's heartbeat ticks
	elapsed float64   // the test's clock, in seconds
	rpcs    int64     // RPCs sent
}

// crawling returns the start of a verdict if, over the last stormDuration
// of real time (recent, oldest first), the test's clock moved by
// crawlBeats ticks or less while stormRPCs or more RPCs were sent. That is
// a retry storm whose RPCs are so many that the tiny delay the network
// gives each one is all the clock moves by: it never stands still long
// enough to look stopped, and the test would take minutes to reach its end.
func crawling(recent []progress) string {
	first, last := recent[0], recent[len(recent)-1]
	if last.at.Sub(first.at) < stormDuration || last.beats-first.beats > crawlBeats || last.rpcs-first.rpcs < stormRPCs {
		return ""
	}
	return fmt.Sprintf("virtual time crawled: in %.1fs of real time the test's clock moved only from %.2fs to %.2fs, "+
		"while the servers sent %d RPCs: %s",
		last.at.Sub(first.at).Seconds(), first.elapsed, last.elapsed, last.rpcs-first.rpcs, stormRule)
}

// stormRule is what a retry storm means, and the rule it breaks: the end
// of both storm verdicts (stall.verdict, crawling).
const stormRule = "the servers retry a refused or failed RPC at once, for ever, instead of waiting " +
	"(a refused AppendEntries from a leader of the same term means step down; a higher term in any " +
	"reply means step down; retry only after a heartbeat interval)"

// stall is what the watchdog has seen since the clock last moved.
type stall struct {
	dumps  [][]stacks.Goroutine // goroutine dumps of the test, oldest first
	rpcsAt int64                // RPCs sent when the first dump was taken
	since  time.Duration        // how long the clock had stood still at the first dump
	cpuAt  time.Duration        // the process's CPU time then
}

// observe takes one more look at the test's goroutines.
func (s *stall) observe(t Test, still time.Duration) {
	if len(s.dumps) == 0 {
		s.rpcsAt, s.since = t.RPCs(), still
		s.cpuAt, _ = processCPU()
	}
	s.dumps = append(s.dumps, t.Goroutines())
}

// verdict returns why the clock stopped, once that is certain, or "".
func (s *stall) verdict(t Test, lim Limits, still time.Duration) string {
	last := s.dumps[len(s.dumps)-1]
	header := fmt.Sprintf("virtual time stopped at %.2fs: for %.1fs of real time some goroutine of the test "+
		"never blocked in a way that lets the clock advance", t.ElapsedSeconds(), still.Seconds())
	if making := t.Making(); making > 0 && s.inMake(lim, still, t.InMake, processCPU) {
		return fmt.Sprintf("s%d: Make did not return: it has been running for %.1fs of real time without "+
			"blocking, so the clock stopped. Make must start long-running work (the election ticker, "+
			"the applier) in goroutines and return at once\n%s",
			making-1, still.Seconds(), t.DescribeStuck(t.Blamable(last)))
	}
	if holder, server, ok := t.ApplyUnderLock(last); ok {
		// The cause is the headline: a summary that keeps one line keeps it.
		return fmt.Sprintf("s%d sent on applyCh while holding its lock, so virtual time stopped at %.2fs: the tests' "+
			"applyCh reader, like a real service, calls GetState after each message and waits for rf.mu, while the "+
			"sender waits for the reader. Never send on applyCh while holding rf.mu: copy the messages under the "+
			"lock, unlock, then send.\ngoroutine %d (%s) sends on applyCh:\n%s",
			server, t.ElapsedSeconds(), holder.ID, holder.Status, words.Indent(holder.Stack, "    "))
	}
	sent := t.RPCs() - s.rpcsAt
	switch {
	case still >= stormDuration && sent >= stormRPCs:
		return fmt.Sprintf("%s\n%d RPCs were sent in the last %.1fs of real time while the test's clock stood still "+
			"at %.2fs: %s\n%s",
			header, sent, (still - s.since).Seconds(), t.ElapsedSeconds(), stormRule, t.DescribeStuck(t.Blamable(last)))
	case still >= surelySpins && len(s.spinners(processCPU)) > 0:
		return header + "\n" + t.DescribeStuck(t.Blamable(last))
	case still >= surelyFrozen && s.frozen():
		return fmt.Sprintf("virtual time stopped at %.2fs: every goroutine of the test is blocked, and at least one "+
			"waits in a way the clock cannot see past (a mutex whose holder sleeps, waits for an RPC reply or "+
			"sends on a channel)\n%s", t.ElapsedSeconds(), t.DescribeStuck(t.Blamable(last)))
	case s.outlasted(lim, still, processCPU):
		return header + "\n" + t.DescribeStuck(t.Blamable(last))
	}
	return ""
}

// outlasted reports whether a clock that has stood still for still of
// real time, for none of the reasons above, has done so for longer than a
// busy machine explains. Real time alone is not enough: on a loaded
// machine a correct test can wait seconds for a core, and its clock moves
// as soon as it gets one. So past lim.Stall of real time the watchdog
// also wants one of two signs: the process burned lim.Stall of CPU time
// without the clock moving (goroutines that keep each other busy), or no
// goroutine of the test could run in the last two looks (they wait on
// something outside the bubble: a system call, a file, a real socket). A
// test that is only starved shows goroutines ready to run and little CPU;
// it is given until lim.Wallclock, which ends every test. Where the
// process's CPU time cannot be read, real time alone decides.
// cpuTime is processCPU, or a stand-in in the tests.
func (s *stall) outlasted(lim Limits, still time.Duration, cpuTime func() (time.Duration, bool)) bool {
	if still < lim.Stall {
		return false
	}
	cpu, ok := cpuTime()
	if !ok || cpu-s.cpuAt >= lim.Stall {
		return true
	}
	return s.nothingCanRun()
}

// nothingCanRun reports whether, in the last two dumps, no goroutine of
// the test was running or ready to run.
func (s *stall) nothingCanRun() bool {
	if len(s.dumps) < 2 {
		return false
	}
	for _, dump := range s.dumps[len(s.dumps)-2:] {
		for _, g := range dump {
			if g.CanRun() {
				return false
			}
		}
	}
	return true
}

// inMake reports whether a clock that stopped while a server's Make was
// running stopped in Make: every goroutine is blocked where the clock
// cannot see past (frozen), or a goroutine running Make (inMake) spins, or
// the stall has outlasted what a busy machine explains. A second of real
// time alone is not enough: on a loaded machine a restarted server's Make,
// decoding its saved state under -race, can wait that long for a core.
// cpuTime is processCPU, or a stand-in in the tests.
func (s *stall) inMake(lim Limits, still time.Duration, inMake func(stacks.Goroutine) bool, cpuTime func() (time.Duration, bool)) bool {
	if s.frozen() {
		return true
	}
	if still >= surelySpins && slices.ContainsFunc(s.spinners(cpuTime), inMake) {
		return true
	}
	return s.outlasted(lim, still, cpuTime)
}

// spinners returns the goroutines that were able to run (running or
// runnable) in every dump since the clock stopped, while the process
// burned spinCPU of CPU time without the clock moving. (On a loaded machine
// a correct test may wait long for a core, but whatever CPU it gets moves
// its clock: between two ticks of 10ms it needs milliseconds, not a
// second.) It returns none if no goroutine spins. cpuTime is processCPU,
// or a stand-in in the tests.
func (s *stall) spinners(cpuTime func() (time.Duration, bool)) []stacks.Goroutine {
	if len(s.dumps) < 4 {
		return nil
	}
	cpu, ok := cpuTime()
	if !ok || cpu-s.cpuAt < spinCPU {
		return nil
	}
	var spinning []stacks.Goroutine
	for _, g := range s.dumps[len(s.dumps)-1] {
		if g.Durable {
			continue
		}
		busy := 0
		for _, dump := range s.dumps {
			k := slices.IndexFunc(dump, func(h stacks.Goroutine) bool { return h.ID == g.ID })
			// A goroutine busy in the course's own code (decoding a large
			// RPC for the history, under -race on a loaded machine) is
			// slow, not spinning.
			if k >= 0 && dump[k].CanRun() && !dump[k].InHarness() {
				busy++
			}
		}
		if busy == len(s.dumps) {
			spinning = append(spinning, g)
		}
	}
	return spinning
}

// frozen reports whether the last two dumps show the same goroutines,
// blocked in the same places, none of them able to run: a clock that has
// stopped this way cannot start again.
func (s *stall) frozen() bool {
	if len(s.dumps) < 2 {
		return false
	}
	a, b := s.dumps[len(s.dumps)-2], s.dumps[len(s.dumps)-1]
	if len(a) != len(b) {
		return false
	}
	blockedSomewhere := false
	for k := range b {
		if a[k].ID != b[k].ID || a[k].Status != b[k].Status || stacks.Body(a[k].Stack) != stacks.Body(b[k].Stack) {
			return false
		}
		switch {
		case b[k].Durable:
		case isBlockedStatus(b[k].Status):
			blockedSomewhere = true
		default:
			return false // running, in a system call, or otherwise able to change
		}
	}
	return blockedSomewhere
}

// isBlockedStatus reports whether a goroutine status is a wait for another
// goroutine (a lock or a channel), as opposed to running or a system call.
func isBlockedStatus(status string) bool {
	for _, s := range []string{"Mutex", "RWMutex", "semacquire", "chan send", "chan receive", "select", "sync.Cond.Wait", "sync.WaitGroup.Wait"} {
		if strings.Contains(status, s) {
			return true
		}
	}
	return false
}
