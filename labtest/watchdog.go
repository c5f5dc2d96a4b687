package labtest

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"raftlabs/labtest/internal/stacks"
)

// The watchdog has two halves. Inside the bubble, the cluster's heartbeat
// ticks every 10ms of the test's clock and ends a test that runs past
// VirtualTimeLimit. Outside it, watch reads the heartbeat and gives up on a
// test whose clock has stopped or that has used too much real time. Nothing
// is done to the bubble from outside (waking a sync.Cond there from outside
// is a fatal error), so a test given up on is left as it is; it ends with
// its process, which is the test's own (see Run).

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

// leakedBubbleWait is how long Run waits, after reporting leaks, for a
// bubble whose leaked goroutines can never wake to be ended by synctest.
const leakedBubbleWait = time.Second

// execute runs body in a bubble (or not, in real time) and turns panics
// that escape it, such as synctest's deadlock report, into a verdict.
func (r *run) execute(t *testing.T, body func(*testing.T), done chan struct{}) {
	defer close(done)
	defer func() {
		v := recover()
		if v == nil || r.aborted.Load() || isClosed(r.finished) {
			return // after the end, leftovers were already reported as leaks
		}
		msg := fmt.Sprint(v)
		if strings.HasPrefix(msg, "deadlock") {
			r.abort("deadlock: every goroutine of the test is blocked for ever and no timer is pending\n" +
				describeBlocked(r.bubbleGoroutines(), r.cluster()))
			return
		}
		r.abort(fmt.Sprintf("the test panicked: %v", v))
	}()
	if r.settings.realtime {
		body(t)
		return
	}
	synctest.Test(t, body)
}

// watch waits for the test to end, and ends it when its clock stops or it
// uses too much real time.
func (r *run) watch(done chan struct{}) {
	tick := time.NewTicker(sampleEvery)
	defer tick.Stop()
	lastBeats, lastMove := r.beats.Load(), time.Now()
	var stuck stall
	var recent []progress // the last stormDuration of real time, for crawling
	for {
		select {
		case <-done:
			return
		case <-r.ended:
			return
		case <-r.finished:
			// The bubble ends once its last goroutines return, or, when
			// those left (already reported as leaks) all wait on a Cond or a
			// channel, as soon as synctest sees that they can never wake.
			// Either way Run must wait for it: a synctest.Test still running
			// when the test function returns races with the testing
			// package's own bookkeeping. A leak that sleeps in a loop keeps
			// its bubble alive for ever; it ends with the test's process.
			wait := 2 * time.Second
			if r.leaked.Load() {
				wait = leakedBubbleWait
			}
			select {
			case <-done:
			case <-time.After(wait):
			}
			return
		case now := <-tick.C:
			if !r.settings.realtime {
				recent = append(recent, progress{at: now, beats: r.beats.Load(), elapsed: r.elapsedSeconds(), rpcs: r.rpcsNow()})
				for len(recent) > 1 && now.Sub(recent[1].at) >= stormDuration {
					recent = recent[1:]
				}
				if verdict := crawling(recent); verdict != "" {
					r.abort(verdict + "\n" + describeStuck(r.withoutHelpers(r.allBubbleGoroutines()), r.cluster()))
					return
				}
			}
			if b := r.beats.Load(); b != lastBeats {
				lastBeats, lastMove = b, now
				stuck = stall{}
				continue
			}
			if now.Sub(r.started) > r.settings.wallclock {
				r.abort(fmt.Sprintf("the test used %v of real time (its clock had reached %.2fs) without finishing: "+
					"the code under test is far too slow or spins\n%s",
					r.settings.wallclock, r.elapsedSeconds(), describeStuck(r.bubbleGoroutines(), r.cluster())))
				return
			}
			if r.settings.realtime {
				continue
			}
			still := now.Sub(lastMove)
			if still < dumpAfter {
				continue
			}
			stuck.observe(r, still)
			if verdict := stuck.verdict(r, still); verdict != "" {
				r.abort(verdict)
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
func (s *stall) observe(r *run, still time.Duration) {
	if len(s.dumps) == 0 {
		s.rpcsAt, s.since = r.rpcsNow(), still
		s.cpuAt, _ = processCPU()
	}
	s.dumps = append(s.dumps, r.allBubbleGoroutines())
}

// verdict returns why the clock stopped, once that is certain, or "".
func (s *stall) verdict(r *run, still time.Duration) string {
	last := s.dumps[len(s.dumps)-1]
	header := fmt.Sprintf("virtual time stopped at %.2fs: for %.1fs of real time some goroutine of the test "+
		"never blocked in a way that lets the clock advance", r.elapsedSeconds(), still.Seconds())
	if making := r.making.Load(); making > 0 && (still >= surelySpins || s.frozen()) {
		return fmt.Sprintf("s%d: Make did not return: it has been running for %.1fs of real time without "+
			"blocking, so the clock stopped. Make must start long-running work (the election ticker, "+
			"the applier) in goroutines and return at once\n%s",
			making-1, still.Seconds(), describeStuck(r.withoutHelpers(last), r.cluster()))
	}
	if holder, server, ok := r.applyUnderLock(last); ok {
		// The cause is the headline: a summary that keeps one line keeps it.
		return fmt.Sprintf("s%d sent on applyCh while holding its lock, so virtual time stopped at %.2fs: the tests' "+
			"applyCh reader, like a real service, calls GetState after each message and waits for rf.mu, while the "+
			"sender waits for the reader. Never send on applyCh while holding rf.mu: copy the messages under the "+
			"lock, unlock, then send.\ngoroutine %d (%s) sends on applyCh:\n%s",
			server, r.elapsedSeconds(), holder.ID, holder.Status, indent(holder.Stack, "    "))
	}
	sent := r.rpcsNow() - s.rpcsAt
	switch {
	case still >= stormDuration && sent >= stormRPCs:
		return fmt.Sprintf("%s\n%d RPCs were sent in the last %.1fs of real time while the test's clock stood still "+
			"at %.2fs: %s\n%s",
			header, sent, (still - s.since).Seconds(), r.elapsedSeconds(), stormRule, describeStuck(r.withoutHelpers(last), r.cluster()))
	case still >= surelySpins && s.spinner() != nil:
		return header + "\n" + describeStuck(r.withoutHelpers(last), r.cluster())
	case still >= surelyFrozen && s.frozen():
		return fmt.Sprintf("virtual time stopped at %.2fs: every goroutine of the test is blocked, and at least one "+
			"waits in a way the clock cannot see past (a mutex whose holder sleeps, waits for an RPC reply or "+
			"sends on a channel)\n%s", r.elapsedSeconds(), describeStuck(r.withoutHelpers(last), r.cluster()))
	case still >= r.settings.stall:
		return header + "\n" + describeStuck(r.withoutHelpers(last), r.cluster())
	}
	return ""
}

// spinner returns a goroutine that was able to run (running or runnable)
// in every dump since the clock stopped, while the process burned spinCPU
// of CPU time without the clock moving. (On a loaded machine a correct
// test may wait long for a core, but whatever CPU it gets moves its clock:
// between two ticks of 10ms it needs milliseconds, not a second.) It
// returns nil if there is none.
func (s *stall) spinner() *stacks.Goroutine {
	if len(s.dumps) < 4 {
		return nil
	}
	cpu, ok := processCPU()
	if !ok || cpu-s.cpuAt < spinCPU {
		return nil
	}
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
			if k >= 0 && (dump[k].Status == "running" || dump[k].Status == "runnable") && !dump[k].InHarness() {
				busy++
			}
		}
		if busy == len(s.dumps) {
			return &g
		}
	}
	return nil
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

// applyUnderLock recognises the tests' applyCh reader of some server
// waiting for that server's lock in GetState while a goroutine of the test
// sends on a channel. It returns the sender and the server.
func (r *run) applyUnderLock(gs []stacks.Goroutine) (sender stacks.Goroutine, server int, ok bool) {
	server = -1
	for _, g := range gs {
		i, isReader := r.readers.Load(g.ID)
		if isReader && g.Calls("raftlabs/labtest.(*Cluster).serviceCall") &&
			(strings.Contains(g.Status, "Mutex") || strings.Contains(g.Status, "semacquire")) {
			server = i.(int)
		}
	}
	if server < 0 {
		return stacks.Goroutine{}, 0, false
	}
	for _, g := range gs {
		if _, helper := r.helpers.Load(g.ID); !helper && strings.HasPrefix(g.Status, "chan send") {
			return g, server, true
		}
	}
	return stacks.Goroutine{}, 0, false
}

// bubbleGoroutines returns the goroutines of the test other than the
// harness's own: those of its bubble, or in real time those created since
// the test began.
func (r *run) bubbleGoroutines() []stacks.Goroutine {
	return r.withoutHelpers(r.allBubbleGoroutines())
}

// allBubbleGoroutines is bubbleGoroutines with the harness's own.
func (r *run) allBubbleGoroutines() []stacks.Goroutine {
	var gs []stacks.Goroutine
	bubble := int(r.bubble.Load())
	for _, g := range stacks.All() {
		if (bubble != 0 && g.Bubble == bubble) || (bubble == 0 && !r.before[g.ID]) {
			gs = append(gs, g)
		}
	}
	return gs
}

func (r *run) withoutHelpers(gs []stacks.Goroutine) []stacks.Goroutine {
	var out []stacks.Goroutine
	for _, g := range gs {
		if _, helper := r.helpers.Load(g.ID); !helper {
			out = append(out, g)
		}
	}
	return out
}

// helper marks the calling goroutine as part of the harness, so it is never
// blamed for a stall or reported as a leak.
func (r *run) helper() {
	r.helpers.Store(stacks.Current().ID, true)
}

func (r *run) elapsedSeconds() float64 {
	return time.Duration(r.elapsed.Load()).Seconds()
}

// rpcsNow returns how many RPCs the test's network has carried.
func (r *run) rpcsNow() int64 {
	if net := r.network.Load(); net != nil {
		return int64(net.TotalCount())
	}
	return 0
}

// heartbeat is the watchdog's half inside the bubble: it ticks the test's
// clock for the watcher outside, and ends a test that runs past
// VirtualTimeLimit.
func (c *Cluster) heartbeat() {
	c.run.helper()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-c.stopping:
			return
		case <-tick.C:
		}
		elapsed := time.Since(c.start)
		c.run.beats.Add(1)
		c.run.elapsed.Store(int64(elapsed))
		if elapsed > VirtualTimeLimit {
			c.run.abort(fmt.Sprintf("the test did not finish within %v on its clock: something waits for ever "+
				"(a deadlock, or a call into Raft that never returns)\n  network: %s\n%s",
				VirtualTimeLimit, c.describeNetwork(), describeBlocked(c.run.bubbleGoroutines(), c)))
			c.shutDown()
			return
		}
	}
}
