package checks

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"raftlabs/labtest/internal/history"
	"raftlabs/labtest/internal/testproc"
)

// The checks are plain functions: these try them on made-up answers, with
// no cluster and no child process.

func TestElectionSafetyNamesBothLeaders(t *testing.T) {
	first := Sighting{Server: 1, At: 1200 * time.Millisecond}
	assert.NoError(t, ElectionSafety(3, first, Sighting{Server: 1, At: 2 * time.Second}),
		"the same leader seen twice is one leader")

	err := ElectionSafety(3, first, Sighting{Server: 4, At: 2 * time.Second})
	var f *testproc.Failure
	require.True(t, errors.As(err, &f))
	assert.Equal(t, "election safety", f.Property)
	assert.Equal(t, "election safety: term 3 has 2 leaders [s1 s4]\n  s1 leader since 1.20s; s4 leader at 2.00s", err.Error())
	assert.True(t, f.JudgedOnLeadership, "a verdict about leaders shows who led when")
}

func TestNewestLeaderPicksTheNewestTerm(t *testing.T) {
	_, ok := NewestLeader(map[int][]int{})
	assert.False(t, ok)
	leader, ok := NewestLeader(map[int][]int{2: {0}, 5: {3}, 4: {1}})
	assert.True(t, ok)
	assert.Equal(t, 3, leader)
}

func TestStillLeads(t *testing.T) {
	terms := map[int]int{0: 2, 1: 3, 2: 3}
	assert.NoError(t, StillLeads(1, 3, true, terms, map[int][]int{3: {1}, 2: {0}}, nil),
		"an old leader of an older term is no threat to the newest")

	err := StillLeads(0, 2, false, terms, map[int][]int{3: {1}}, nil)
	assert.EqualError(t, err, "s0 should still be the leader, but it is in term 2 and no longer believes it leads; "+
		"[s1] believes it leads term 3\n  terms: s0 2, s1 3, s2 3")

	h := history.New(0, time.Second)
	h.Polled(0, 2, true, 1500*time.Millisecond)
	err = StillLeads(0, 3, false, terms, nil, h)
	assert.EqualError(t, err, "s0 led term 2 from 1.50s and should still lead, but it is in term 3 and no longer "+
		"believes it leads\n  terms: s0 2, s1 3, s2 3", "the history says which term it led")

	err = StillLeads(0, 2, true, terms, map[int][]int{2: {0}, 3: {2}}, nil)
	assert.EqualError(t, err, "s0 leads term 2, but [s2] lead the newer term 3\n  terms: s0 2, s1 3, s2 3")
}

func TestNoLeaderWithoutMajority(t *testing.T) {
	terms := map[int]int{1: 4, 2: 4}
	assert.NoError(t, NoLeaderWithoutMajority(terms, map[int][]int{}))
	assert.EqualError(t, NoLeaderWithoutMajority(terms, map[int][]int{4: {2}}),
		"[s2] believes it leads term 4, but no majority of servers is connected, so no leader can be elected\n"+
			"  terms: s1 4, s2 4")
}

func TestTermsAgree(t *testing.T) {
	term, err := TermsAgree(map[int]int{0: 5, 1: 5, 2: 5}, 500*time.Millisecond)
	assert.NoError(t, err)
	assert.Equal(t, 5, term)

	_, err = TermsAgree(map[int]int{0: 5, 1: 6, 2: 5}, 500*time.Millisecond)
	assert.EqualError(t, err, "terms disagree: once a leader sends heartbeats, every connected server should be "+
		"in its term within 500ms\n  terms: s0 5, s1 6, s2 5")
}

func TestNoLeaderElectedListsTerms(t *testing.T) {
	assert.EqualError(t, NoLeaderElected(5*time.Second, map[int]int{0: 7, 1: 8}),
		"no leader: 5s passed and no connected server believes it is the leader\n  terms: s0 7, s1 8")
	assert.EqualError(t, NoLeaderElected(5*time.Second, nil),
		"no leader: 5s passed and no connected server believes it is the leader\n  terms: (no connected server)")
}

func TestAppliedChecks(t *testing.T) {
	assert.NoError(t, AppliedByAtLeast(4, 2, 3, []int{0, 1, 2}))
	assert.EqualError(t, AppliedByAtLeast(4, 3, 1, []int{2}),
		"index 4 was applied by only 1 servers [s2], want at least 3")

	assert.NoError(t, NotApplied(2, 0, nil, nil, "no majority was connected"))
	assert.EqualError(t, NotApplied(2, 2, 101, []int{0, 3}, "no majority was connected"),
		"index 2 was applied (101) by 2 servers [s0 s3], but no majority was connected")
}

func TestReplicable(t *testing.T) {
	assert.NoError(t, Replicable(101))
	assert.NoError(t, Replicable("x"))
	assert.ErrorContains(t, Replicable(nil), "must not be nil")

	type unregistered struct{ N int }
	assert.ErrorContains(t, Replicable(unregistered{1}), "register its type with labgob.Register")
	assert.ErrorContains(t, Replicable(func() {}), "cannot be sent")
}

func TestDescribeLeaders(t *testing.T) {
	assert.Equal(t, "no server is running", DescribeLeaders(nil, nil))
	assert.Equal(t, "s3 leads term 4; [s0 s1 s2 s4] in terms 5, 5, 6, 5 without leading",
		DescribeLeaders(map[int]int{0: 5, 1: 5, 2: 6, 3: 4, 4: 5}, map[int]bool{3: true}))
}

func TestStartLeads(t *testing.T) {
	assert.NoError(t, StartLeads(1, 3, 101, 3, true))
	assert.NoError(t, StartLeads(1, 3, 101, 4, false), "a leader that has learned of a later term")
	assert.ErrorContains(t, StartLeads(1, 3, 101, 3, false),
		"Start(101) on s1 answered isLeader true for term 3, but s1's GetState says it is not the leader of term 3")
}
