package labrpc

import (
	"math/rand/v2"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// endSchedule makes 100 calls through end e1 on an unreliable network and
// records their fates; with busy, a second end makes a call between each
// two of them, as another server's goroutine would.
func endSchedule(t *testing.T, busy bool) []step {
	var steps []step
	synctest.Test(t, func(t *testing.T) {
		net, end, _ := newTestNet(t, 7)
		other := connect(net, "e2", "s1")
		net.SetReliable(false)
		rec := observe(net)
		for i := range 100 {
			if busy {
				other.Call("Peer.Echo", &EchoArgs{X: i}, &EchoReply{})
			}
			ok, d := timedCall(end, "Peer.Echo", &EchoArgs{X: i}, &EchoReply{})
			steps = append(steps, step{ok, d, rec.lastKind()})
		}
	})
	return steps
}

func TestEachEndHasItsOwnFaultSchedule(t *testing.T) {
	alone := endSchedule(t, false)
	interleaved := endSchedule(t, true)
	require.Len(t, alone, 100)
	assert.Equal(t, alone, interleaved, "another end's calls do not change this end's faults")
}

// constSource is a generator that always gives the same number.
type constSource uint64

func (s constSource) Uint64() uint64 { return uint64(s) }

func TestNetworkSourceDecidesTheFaults(t *testing.T) {
	fates := func(src rand.Source) []EventKind {
		var kinds []EventKind
		synctest.Test(t, func(t *testing.T) {
			var asked []string
			net := NewNetworkSource(func(end string) rand.Source {
				asked = append(asked, end)
				return src
			})
			addPeer(net, "s1")
			end := connect(net, "e1", "s1")
			net.SetReliable(false)
			rec := observe(net)
			for i := range 20 {
				end.Call("Peer.Echo", &EchoArgs{X: i}, &EchoReply{})
				kinds = append(kinds, rec.lastKind())
			}
			assert.Equal(t, []string{"e1"}, asked, "the source is asked for once per end")
		})
		return kinds
	}
	for _, k := range fates(constSource(0)) { // every draw is 0: below every rate
		assert.Equal(t, RequestDropped, k)
	}
	for _, k := range fates(constSource(^uint64(0))) { // every draw is just under 1
		assert.Equal(t, Delivered, k)
	}
}
