package service

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"raftlabs/raftapi"
)

func command(index int, cmd any) raftapi.ApplyMsg {
	return raftapi.ApplyMsg{CommandValid: true, CommandIndex: index, Command: cmd}
}

func newBootedChecker(n int) *Checker {
	a := New(n, nil, nil)
	for i := range n {
		a.Boot(i, 1)
	}
	return a
}

func TestApplyCheckerAcceptsAgreeingServers(t *testing.T) {
	a := newBootedChecker(2)
	for _, i := range []int{0, 1} {
		a.Receive(i, 1, command(1, 101))
		a.Receive(i, 1, command(2, "two"))
	}
	assert.NoError(t, a.Problem())
	count, cmd := a.Committed(2)
	assert.Equal(t, 2, count)
	assert.Equal(t, "two", cmd)
	assert.Equal(t, 2, a.MaxIndex())
}

func TestApplyCheckerViolations(t *testing.T) {
	cases := map[string]struct {
		feed func(a *Checker)
		want string
	}{
		"different commands at one index": {
			feed: func(a *Checker) {
				a.Receive(0, 1, command(1, 101))
				a.Receive(1, 1, command(1, 102))
			},
			want: "state machine safety: index 1 was applied as 101 on s0 but as 102 on s1",
		},
		"index 0": {
			feed: func(a *Checker) { a.Receive(0, 1, command(0, 7)) },
			want: "s0 applied index 0: log indexes start at 1",
		},
		"a skipped index": {
			feed: func(a *Checker) {
				a.Receive(1, 1, command(1, 1))
				a.Receive(1, 1, command(3, 3))
			},
			want: "s1 applied index 3 right after index 1",
		},
		"an index applied twice": {
			feed: func(a *Checker) {
				a.Receive(0, 1, command(1, 1))
				a.Receive(0, 1, command(1, 1))
			},
			want: "s0 applied index 1 again after index 1",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			a := newBootedChecker(2)
			tc.feed(a)
			assert.ErrorContains(t, a.Problem(), tc.want)
		})
	}
}

func TestApplyCheckerRestartAppliesFromTheStart(t *testing.T) {
	a := newBootedChecker(1)
	a.Receive(0, 1, command(1, 1))
	a.Killed(0, 1)
	a.Boot(0, 2)
	a.Receive(0, 2, command(1, 1)) // a restarted server replays its log
	assert.NoError(t, a.Problem())
}

func TestApplyCheckerIgnoresAFreshlyKilledServerOnly(t *testing.T) {
	a := newBootedChecker(1)
	a.Killed(0, 1)
	a.Receive(0, 1, command(1, 1)) // a send already blocked when Kill was called
	assert.NoError(t, a.Problem())
	assert.Zero(t, a.MaxIndex(), "messages from a killed server are not counted")
}
