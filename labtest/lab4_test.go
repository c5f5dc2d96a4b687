package labtest

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSnapshotTransfer(t *testing.T) {
	assert.NoError(t, snapshotTransfer(1, 60_000, 29_577, 2))
	assert.ErrorContains(t, snapshotTransfer(2, 300_000, 31_000, 1), "s2 received 300000 bytes of RPC requests (9.7 per "+
		"byte of snapshot) to catch up from a snapshot of 31000 bytes, in 1 terms; the budget is 66500")
}

func TestDiscardedMemory(t *testing.T) {
	assert.NoError(t, discardedMemory(5_900_000, 2_000_000, 2_000_000, 2, 3))
	assert.NoError(t, discardedMemory(3_900_000, 2_000_000, 2_000_000, 2, 3), "the leader's saved state kept alive")
	assert.EqualError(t, discardedMemory(2_100_000, 2_000_000, 2_000_000, 2, 3), "s2 and s3 (restarted from its saved "+
		"state) replaced their logs with a leader's snapshot and caught up, but the test process's live heap shrank "+
		"by only 2.1 MB of the 4.0 MB that s2's discarded entries (2.0 MB) and saved state (2.0 MB) held (what "+
		"crashed s3 held is not counted, in case goroutines left after Kill keep it). Something still refers to "+
		"the discarded entries: a log re-sliced rather than copied (rf.log = rf.log[i:] keeps the old array and "+
		"every entry in it), or another reference kept to them (the last AppendEntries' arguments, a slice of the "+
		"old log, an ApplyMsg not yet sent)")
}
