package labtest_test

import (
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"raftlabs/labtest"
	"raftlabs/labtest/testdata/broken"
)

// killWhileCutOff cuts every server off, so that each call takes up to 7s
// to fail, and then checks that Kill stops every goroutine.
func killWhileCutOff(c *labtest.Cluster) {
	c.Boot(3)
	c.Disconnect(0, 1, 2)
	c.Sleep(time.Second)
	c.CheckKillStopsGoroutines()
}

// TestOneSendAfterKillIsNoLeak checks that a goroutine whose call returns
// after Kill may send once more and then stop: with calls that take up to
// 7s, its last one can end more than 10s after Kill.
func TestOneSendAfterKillIsNoLeak(t *testing.T) {
	for range 3 {
		labtest.Run(t, killWhileCutOff, broken.MakeOnceAfterKill)
	}
}

// TestKeepsSendingRaft runs the Raft that never stops sending, in a child
// process started by TestSendingAfterKillIsALeak.
func TestKeepsSendingRaft(t *testing.T) {
	if os.Getenv("RAFTLABS_KEEPS_SENDING") == "" {
		t.Skip("run by TestSendingAfterKillIsALeak in a child process")
	}
	labtest.Run(t, killWhileCutOff, broken.MakeKeepsSending)
}

// TestSendingAfterKillIsALeak checks that a goroutine that goes on sending
// after Kill is reported, with its stack.
func TestSendingAfterKillIsALeak(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run", "^TestKeepsSendingRaft$", "-test.v")
	cmd.Env = append(os.Environ(), "RAFTLABS_KEEPS_SENDING=1")
	out, err := cmd.CombinedOutput()
	output := string(out)
	require.Error(t, err, "the test must fail:\n%s", output)
	assert.Contains(t, output, "goroutine leak: 3 goroutines still running 10s after every server was killed")
	assert.Contains(t, output, "must not go on sending")
	assert.Contains(t, output, "broken.MakeKeepsSending")
}
