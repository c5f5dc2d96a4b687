package labrpc

import (
	"math"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// assertBinomial checks that got, a count of successes in n independent
// trials each with probability p, is within 5 standard deviations of its
// mean n*p. The standard deviation of a binomial count is sqrt(n*p*(1-p)),
// and a normal variable lands more than 5 of them from its mean with
// probability under one in a million, so a correct network all but never
// fails this check, while a rate that is off by a few percent does.
func assertBinomial(t *testing.T, got, n int, p float64, what string) {
	t.Helper()
	mean := float64(n) * p
	sigma := math.Sqrt(float64(n) * p * (1 - p))
	assert.InDelta(t, mean, float64(got), 5*sigma, "%s: %d of %d, expected about %.0f", what, got, n, mean)
}

func TestUnreliableDropsTenPercentOfRequestsAndReplies(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		net, end, peer := newTestNet(t, 1)
		net.SetReliable(false)
		const calls = 2000
		delivered := 0
		for i := range calls {
			if end.Call("Peer.Echo", &EchoArgs{X: i}, &EchoReply{}) {
				delivered++
			}
		}
		handled := peer.Handled()
		require.Equal(t, handled, net.Count("s1"))
		assertBinomial(t, calls-handled, calls, 0.1, "requests dropped")
		assertBinomial(t, handled-delivered, handled, 0.1, "replies lost after the handler ran")
	})
}

func TestUnreliableRequestDelayIsUpTo27ms(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		net, end, peer := newTestNet(t, 1)
		net.SetReliable(false)
		lo, hi := time.Hour, time.Duration(0)
		for i := range 500 {
			before := peer.Handled()
			ok, d := timedCall(end, "Peer.Echo", &EchoArgs{X: i}, &EchoReply{})
			if peer.Handled() == before {
				// Dropped: the request delay, then the unreachable delay.
				require.False(t, ok)
				assert.LessOrEqual(t, d, 27*time.Millisecond+100*time.Millisecond)
				continue
			}
			// Delivered or reply lost: only the request delay.
			require.LessOrEqual(t, d, 27*time.Millisecond, "call %d", i)
			lo, hi = min(lo, d), max(hi, d)
		}
		assert.Less(t, lo, 3*time.Millisecond, "the delays spread over 0–27 ms")
		assert.Greater(t, hi, 24*time.Millisecond, "the delays spread over 0–27 ms")
	})
}

func TestReplyLostAfterHandlerRan(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		net, end, peer := newTestNet(t, 2)
		net.SetReliable(false)
		rec := observe(net)
		lost := 0
		for i := range 500 {
			before := peer.Handled()
			reply := &EchoReply{}
			ok := end.Call("Peer.Echo", &EchoArgs{X: i + 1}, reply)
			ran := peer.Handled() == before+1
			switch {
			case ok:
				assert.True(t, ran)
				assert.Equal(t, i+1, reply.X)
				assert.Equal(t, Delivered, rec.lastKind())
			case ran:
				lost++
				assert.Zero(t, *reply, "a lost reply leaves the caller's reply untouched")
				assert.Equal(t, ReplyLost, rec.lastKind())
			default:
				assert.Equal(t, RequestDropped, rec.lastKind())
			}
		}
		assert.Positive(t, lost, "some replies are lost after their handler ran")
	})
}

func TestLongReorderingDelaysTwoThirdsOfReplies(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		net, end, _ := newTestNet(t, 1)
		net.SetLongReordering(true)
		const calls = 900
		delayed := 0
		lo, hi := time.Hour, time.Duration(0)
		for i := range calls {
			ok, d := timedCall(end, "Peer.Echo", &EchoArgs{X: i}, &EchoReply{})
			require.True(t, ok, "long reordering delays replies but loses none")
			if d <= travelTimeMax { // not held back
				continue
			}
			delayed++
			require.GreaterOrEqual(t, d, 200*time.Millisecond)
			require.LessOrEqual(t, d, 2200*time.Millisecond)
			lo, hi = min(lo, d), max(hi, d)
		}
		assertBinomial(t, delayed, calls, 2.0/3, "replies delayed")
		assert.Less(t, lo, 300*time.Millisecond)
		assert.Greater(t, hi, 2100*time.Millisecond)
	})
}

func TestLongReorderingReordersReplies(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		net, end, _ := newTestNet(t, 1)
		net.SetLongReordering(true)
		var mu sync.Mutex
		var order []int
		var wg sync.WaitGroup
		for i := range 50 {
			wg.Go(func() {
				reply := &EchoReply{}
				require.True(t, end.Call("Peer.Echo", &EchoArgs{X: i}, reply))
				mu.Lock()
				order = append(order, reply.X)
				mu.Unlock()
			})
			time.Sleep(time.Millisecond)
		}
		wg.Wait()
		assert.Len(t, order, 50)
		assert.False(t, slices.IsSorted(order), "replies arrive in a different order from their requests")
	})
}

func TestLongDelaysToDisconnectedPeer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		net, end, _ := newTestNet(t, 1)
		net.Enable("e1", false)
		for range 300 {
			ok, d := timedCall(end, "Peer.Echo", &EchoArgs{}, &EchoReply{})
			require.False(t, ok)
			require.LessOrEqual(t, d, 100*time.Millisecond, "without long delays")
		}

		net.SetLongDelays(true)
		over1s, longest := 0, time.Duration(0)
		for range 300 {
			ok, d := timedCall(end, "Peer.Echo", &EchoArgs{}, &EchoReply{})
			require.False(t, ok)
			require.LessOrEqual(t, d, 7*time.Second)
			if d > time.Second {
				over1s++
			}
			longest = max(longest, d)
		}
		// The delays are uniform over 0–7 s, so 6/7 of them exceed 1 s.
		assertBinomial(t, over1s, 300, 6.0/7, "long delays over 1 s")
		assert.Greater(t, longest, 6*time.Second)
	})
}

func TestLongDelaysForDroppedRequests(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		net, end, peer := newTestNet(t, 1)
		net.SetReliable(false)
		net.SetLongDelays(true)
		over1s := 0
		for range 500 {
			before := peer.Handled()
			ok, d := timedCall(end, "Peer.Echo", &EchoArgs{}, &EchoReply{})
			if peer.Handled() > before {
				continue
			}
			require.False(t, ok)
			require.LessOrEqual(t, d, 27*time.Millisecond+7*time.Second)
			if d > time.Second {
				over1s++
			}
		}
		assert.Positive(t, over1s)
	})
}

// step is one call's fate in a fault schedule.
type step struct {
	OK       bool
	Duration time.Duration
	Kind     EventKind
}

// faultSchedule makes a fixed sequence of calls, one at a time, on a network
// with every fault turned on, and records what became of each.
func faultSchedule(t *testing.T, seed int64) []step {
	var steps []step
	synctest.Test(t, func(t *testing.T) {
		net, end, _ := newTestNet(t, seed)
		net.SetReliable(false)
		net.SetLongReordering(true)
		rec := observe(net)
		for i := range 300 {
			net.Enable("e1", i%50 < 45)
			net.SetLongDelays(i >= 150)
			ok, d := timedCall(end, "Peer.Echo", &EchoArgs{X: i}, &EchoReply{})
			steps = append(steps, step{ok, d, rec.lastKind()})
		}
	})
	return steps
}

func TestSameSeedSameFaultSchedule(t *testing.T) {
	a := faultSchedule(t, 42)
	b := faultSchedule(t, 42)
	c := faultSchedule(t, 43)
	require.Len(t, a, 300)
	assert.Equal(t, a, b, "the same seed gives the same outcomes and delays")
	assert.NotEqual(t, a, c, "another seed gives another schedule")
}
