package watchdog

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
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
