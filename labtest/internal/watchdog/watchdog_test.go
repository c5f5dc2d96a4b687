package watchdog

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"raftlabs/labtest/internal/stacks"
)

// A retry storm can keep the clock creeping by the network's tiny delays
// instead of stopping it: 2s of real time in which the clock moved 20ms
// while 30,000 RPCs went out is a storm; the same 20ms with a few RPCs
// (a slow machine), or 30,000 RPCs over seconds of the clock, is not.
func TestCrawlingClockIsAStorm(t *testing.T) {
	start := time.Now()
	at := func(real time.Duration, beats int64, rpcs int64) progress {
		return progress{at: start.Add(real), beats: beats, elapsed: 1.59 + float64(beats)/100, rpcs: rpcs}
	}
	storm := []progress{at(0, 0, 1000), at(time.Second, 1, 16_000), at(2*time.Second, 2, 31_000)}
	assert.Equal(t, "virtual time crawled: in 2.0s of real time the test's clock moved only from 1.59s to 1.61s, "+
		"while the servers sent 30000 RPCs: the servers retry a refused or failed RPC at once, for ever, instead of "+
		"waiting (a refused AppendEntries from a leader of the same term means step down; a higher term in any "+
		"reply means step down; retry only after a heartbeat interval)", crawling(storm))

	assert.Empty(t, crawling(storm[:2]), "too short a look")
	assert.Empty(t, crawling([]progress{at(0, 0, 1000), at(2*time.Second, 2, 1200)}), "a slow machine, few RPCs")
	assert.Empty(t, crawling([]progress{at(0, 0, 1000), at(2*time.Second, 300, 31_000)}), "a busy but moving clock")
}

// The last-resort stall verdict wants more than real time: a test starved
// of cores on a loaded machine (goroutines ready to run, little CPU burned)
// is not failed, while goroutines that burn CPU without moving the clock,
// or that all wait outside the bubble, are.
func TestStallOutlastsOnlyWhatALoadedMachineCannotExplain(t *testing.T) {
	lim := Limits{Stall: 10 * time.Second}
	dump := func(statuses ...string) []stacks.Goroutine {
		var gs []stacks.Goroutine
		for k, status := range statuses {
			gs = append(gs, stacks.Goroutine{ID: k + 1, Status: status})
		}
		return gs
	}
	starved := stall{cpuAt: time.Second, dumps: [][]stacks.Goroutine{
		dump("runnable", "sync.Mutex.Lock"), dump("runnable", "sync.Mutex.Lock")}}
	assert.False(t, starved.outlasted(lim, 12*time.Second, cpuAt(1700*time.Millisecond)),
		"a starved test: ready to run, 0.7s of CPU in 12s")
	assert.True(t, starved.outlasted(lim, 12*time.Second, cpuAt(11*time.Second)),
		"10s of CPU burned without the clock moving")
	assert.False(t, starved.outlasted(lim, 9*time.Second, cpuAt(11*time.Second)), "before the limit's real time")

	outside := stall{cpuAt: time.Second, dumps: [][]stacks.Goroutine{
		dump("syscall", "chan receive"), dump("IO wait", "chan receive")}}
	assert.True(t, outside.outlasted(lim, 10*time.Second, cpuAt(time.Second)),
		"nothing can run: waiting outside the bubble")
	assert.False(t, outside.outlasted(lim, 5*time.Second, cpuAt(time.Second)))

	unknown := func() (time.Duration, bool) { return 0, false }
	assert.True(t, starved.outlasted(lim, 10*time.Second, unknown), "no CPU time to read: real time decides")
}

// A stall while a server's Make runs is charged to Make only on evidence:
// every goroutine blocked where the clock cannot see past, or the
// goroutine running Make spinning (ready to run in every look, with CPU
// burned). A Make only starved of cores on a loaded machine (TestCrashes-
// UnreliableLab5, a restarted server decoding its saved state under -race
// at load 10) is given time, and another goroutine's spin is not Make's.
func TestStallChargedToMakeOnlyOnEvidence(t *testing.T) {
	lim := Limits{Stall: 10 * time.Second}
	const makeGoroutine = 7
	inMake := func(g stacks.Goroutine) bool { return g.ID == makeGoroutine }
	looks := func(ids []int, statuses ...string) stall {
		s := stall{cpuAt: time.Second}
		for range 4 {
			var dump []stacks.Goroutine
			for k, id := range ids {
				dump = append(dump, stacks.Goroutine{ID: id, Status: statuses[k],
					Stack: "raftlabs/lab5-kvraft.(*Raft).readPersist(0x1)\n\t/x/raft.go:1 +0x1\n"})
			}
			s.dumps = append(s.dumps, dump)
		}
		return s
	}

	starvedMake := looks([]int{makeGoroutine, 9}, "runnable", "sleep")
	assert.False(t, starvedMake.inMake(lim, 1400*time.Millisecond, inMake, cpuAt(1300*time.Millisecond)),
		"Make ready to run in every look but 0.3s of CPU in 1.4s: waiting for a core")
	assert.True(t, starvedMake.inMake(lim, 1400*time.Millisecond, inMake, cpuAt(2*time.Second)),
		"Make ready to run in every look, 1s of CPU burned: it spins")

	otherSpins := looks([]int{makeGoroutine, 9}, "sleep", "running")
	assert.False(t, otherSpins.inMake(lim, 1400*time.Millisecond, inMake, cpuAt(2*time.Second)),
		"goroutine 9 spins, not Make's")
	assert.Len(t, otherSpins.spinners(cpuAt(2*time.Second)), 1, "the spin is still found, and charged to its goroutine")

	assert.True(t, starvedMake.inMake(lim, 10*time.Second, inMake, cpuAt(11*time.Second)),
		"past the stall limit, with the CPU burned, Make is charged")
}

// cpuAt stands in for processCPU: the process has used d of CPU time.
func cpuAt(d time.Duration) func() (time.Duration, bool) {
	return func() (time.Duration, bool) { return d, true }
}
