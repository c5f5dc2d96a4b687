package labrpc

import (
	"math/rand/v2"
	"time"
)

// The numbers behind the faults; the package comment lists them for users.
const (
	shortDelayMax   = 100 * time.Millisecond  // before an unreachable or dropped call fails
	longDelayMax    = 7000 * time.Millisecond // the same, with long delays on
	requestDelayMax = 27 * time.Millisecond   // every request on an unreliable network
	travelTimeMax   = time.Microsecond        // every request on a reliable network
	dropRequestRate = 0.1                     // requests dropped on an unreliable network
	loseReplyRate   = 0.1                     // replies lost on an unreliable network
	reorderRate     = 2.0 / 3                 // replies held back with long reordering on
	reorderDelayMin = 200 * time.Millisecond
	reorderDelayMax = 2200 * time.Millisecond
)

// A plan is one call's share of the network's random choices, each already
// scaled by the settings in force when the call started. Which faults apply
// is decided by those settings too; the choices of a fault that does not
// apply are ignored.
type plan struct {
	failDelay    time.Duration // how long an unreachable or dropped call takes to fail
	requestDelay time.Duration // on an unreliable network
	travelTime   time.Duration // on a reliable network
	dropRequest  bool
	loseReply    bool
	reorder      bool
	reorderDelay time.Duration
}

// newPlan draws a plan from r. It always takes exactly six numbers from r,
// whatever the settings, so the plan a call gets depends only on the seed,
// its end, and how many calls that end made before it.
func newPlan(r *rand.Rand, longDelays bool) plan {
	failMax := shortDelayMax
	if longDelays {
		failMax = longDelayMax
	}
	failDelay := scale(r.Float64(), 0, failMax)
	delay := r.Float64()
	return plan{
		failDelay:    failDelay,
		requestDelay: scale(delay, 0, requestDelayMax),
		travelTime:   scale(delay, 0, travelTimeMax),
		dropRequest:  r.Float64() < dropRequestRate,
		loseReply:    r.Float64() < loseReplyRate,
		reorder:      r.Float64() < reorderRate,
		reorderDelay: scale(r.Float64(), reorderDelayMin, reorderDelayMax),
	}
}

// scale maps f in [0, 1) to a duration in [lo, hi).
func scale(f float64, lo, hi time.Duration) time.Duration {
	return lo + time.Duration(f*float64(hi-lo))
}
