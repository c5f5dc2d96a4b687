package labtest

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"raftlabs/labtest/internal/history"
)

// The checks: plain functions from what the servers answered to a *Failure
// (as an error) or nil. They touch no cluster and fail no test, so each can
// be tried on made-up answers (checks_test.go); the Cluster's methods ask
// the servers, call these, and end the test on a failure.

// electionSafety checks a leader seen for term against the first leader
// seen for it. Paper Figure 3, Election Safety: at most one leader can be
// elected in a given term.
func electionSafety(term int, first, now sighting) error {
	if first.server == now.server {
		return nil
	}
	return violation("election safety", "term %d has 2 leaders %s\n  s%d leader since %s; s%d leader at %s",
		term, serverList([]int{first.server, now.server}), first.server, seconds(first.at), now.server,
		seconds(now.at)).AboutLeaders()
}

// newestLeader returns the first server that believes it leads the newest
// term that has a leader.
func newestLeader(leaders map[int][]int) (leader int, ok bool) {
	if len(leaders) == 0 {
		return -1, false
	}
	return leaders[slices.Max(slices.Collect(maps.Keys(leaders)))][0], true
}

// noLeaderElected is the failure when no connected server came to believe
// it leads within waited.
func noLeaderElected(waited time.Duration, terms map[int]int) error {
	return failure("no leader: %v passed and no connected server believes it is the leader\n  terms: %s",
		waited, termList(terms)).AboutLeaders()
}

// stillLeads checks that server i, which the test saw leading and which now
// answers term and isLeader, still leads, and that no connected server
// leads a newer term. h, if not nil, says since when i led.
func stillLeads(i, term int, isLeader bool, terms map[int]int, leaders map[int][]int, h *history.History) error {
	if !isLeader {
		was := fmt.Sprintf("s%d should still be the leader", i)
		if h != nil {
			if led, since, ok := h.LedTerm(i); ok {
				was = fmt.Sprintf("s%d led term %d from %s and should still lead", i, led, seconds(since))
			}
		}
		now := ""
		for _, t := range slices.Sorted(maps.Keys(leaders)) {
			now += fmt.Sprintf("; %s believes it leads term %d", serverList(leaders[t]), t)
		}
		return failure("%s, but it is in term %d and no longer believes it leads%s\n  terms: %s",
			was, term, now, termList(terms)).AboutLeaders()
	}
	for _, t := range slices.Sorted(maps.Keys(leaders)) {
		if t > term {
			return failure("s%d leads term %d, but %s lead the newer term %d\n  terms: %s",
				i, term, serverList(leaders[t]), t, termList(terms)).AboutLeaders()
		}
	}
	return nil
}

// noLeaderWithoutMajority checks that no server believes it leads, for a
// moment when no majority is connected.
func noLeaderWithoutMajority(terms map[int]int, leaders map[int][]int) error {
	for _, term := range slices.Sorted(maps.Keys(leaders)) {
		return failure("%s believes it leads term %d, but no majority of servers is connected, so no leader "+
			"can be elected\n  terms: %s", serverList(leaders[term]), term, termList(terms)).AboutLeaders()
	}
	return nil
}

// termsAgree checks that every server in terms is in one term, and returns
// it; settle is how long the servers were given to reach it.
func termsAgree(terms map[int]int, settle time.Duration) (int, error) {
	if term, agree := sameTerm(terms); agree {
		return term, nil
	}
	return 0, failure("terms disagree: once a leader sends heartbeats, every connected server should be in its "+
		"term within %v\n  terms: %s", settle, termList(terms)).AboutLeaders()
}

// appliedByAtLeast checks that index was applied by at least n servers;
// count of them did, namely by.
func appliedByAtLeast(index, n, count int, by []int) error {
	if count >= n {
		return nil
	}
	return failure("index %d was applied by only %d servers %s, want at least %d", index, count, serverList(by), n)
}

// notApplied checks that no server applied index, which why says must not
// be committed; count servers, namely by, applied command there.
func notApplied(index, count int, command any, by []int, why string) error {
	if count == 0 {
		return nil
	}
	return failure("index %d was applied (%s) by %d servers %s, but %s",
		index, commandText(command), count, serverList(by), why)
}

// startedLate is the failure of a Start on server i that returned took
// after asked with answer (already described, e.g. "isLeader false").
func startedLate(command any, i int, asked, took time.Duration, answer string) error {
	return failure("Start(%s) on s%d took %s to return (called at %s; it answered %s): Start must return at "+
		"once, appending to the log and leaving replication to the background, never waiting for an RPC, a "+
		"commit or a timer; an answer given late may describe a term the server no longer leads",
		commandText(command), i, seconds(took), seconds(asked), answer).AboutLeaders()
}
