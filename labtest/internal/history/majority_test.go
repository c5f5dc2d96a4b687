package history

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"raftlabs/labgob"
	"raftlabs/labrpc"
)

// A leader elected by the votes delivered to it passes; its words when it
// was not are pinned here and, from a cheating Raft, in grading's
// cheats_test.go.
func TestLeaderNeedsAMajorityOfVotes(t *testing.T) {
	h := New(0, time.Second)
	h.size = 5
	vote(h, 2, 4, 5, true, ms(300))
	vote(h, 2, 1, 5, false, ms(300))
	h.sent(2, 0, "AppendEntries", 5, ms(320))
	f := h.UnearnedProblem()
	require.NotNil(t, f, "two votes of five, its own included, do not make a leader")
	assert.Equal(t, "election by majority: s2 led term 5 (it sent AppendEntries as leader at 0.32s) with votes from "+
		"only [s2 s4] of 5 servers: a leader needs a majority (3) of RequestVote replies that grant it, for that "+
		"term, delivered to it over the network, its own vote included (Figure 2, Rules for Servers, Candidates: "+
		"\"If votes received from majority of servers: become leader\"). The servers run in one process, but a "+
		"leader chosen any other way (a variable the servers share, a message that is not a vote) is not elected",
		f.Error())

	h = New(0, time.Second)
	h.size = 5
	vote(h, 2, 4, 5, true, ms(300))
	vote(h, 2, 3, 5, true, ms(310))
	h.sent(2, 0, "AppendEntries", 5, ms(320))
	h.Polled(2, 5, true, ms(400))
	assert.Nil(t, h.UnearnedProblem(), "three votes of five, its own included, make a leader")

	h = New(0, time.Second)
	h.size = 3
	vote(h, 0, 1, 4, true, ms(300))
	h.Polled(0, 3, true, ms(400))
	f = h.UnearnedProblem()
	require.NotNil(t, f, "votes for term 4 do not make a leader of term 3")
	assert.Contains(t, f.Error(), "s0 led term 3 (GetState said it leads at 0.40s) with votes from only [s0] of 3")
}

// A leader that reached a majority only by counting votes granted to it in
// an earlier election is told so, with the terms those votes were for,
// rather than suspected of sharing state.
func TestVotesOfAnEarlierElectionAreNamed(t *testing.T) {
	h := New(0, time.Second)
	h.size = 3
	vote(h, 2, 0, 1, true, ms(300))
	h.sent(2, 0, "AppendEntries", 1, ms(310))
	vote(h, 2, 1, 3, true, ms(900))
	h.sent(2, 0, "AppendEntries", 4, ms(1500))
	f := h.UnearnedProblem()
	require.NotNil(t, f)
	assert.Equal(t, "election by majority: s2 led term 4 (it sent AppendEntries as leader at 1.50s) with votes for "+
		"term 4 from only [s2]; the other votes it had received were granted in earlier elections (s0's in term 1, "+
		"s1's in term 3). A vote counts only in the election it was asked for: a RequestVote reply from an older "+
		"term must be ignored, even one that grants the vote (Figure 2, Rules for Servers, Candidates: \"If votes "+
		"received from majority of servers: become leader\", the votes of this term's election)", f.Error())
	assert.NotContains(t, f.Error(), "a variable the servers share", "not suspected of sharing state")
}

// Only votes delivered to the candidate count: a granted vote whose reply
// the network lost never reached it.
func TestLostVoteIsNotAVote(t *testing.T) {
	h := New(0, time.Second)
	h.size = 3
	h.sent(0, 1, "RequestVote", 2, ms(300)) // granted, but the reply is lost: no delivery
	h.sent(0, 1, "AppendEntries", 2, ms(320))
	require.NotNil(t, h.UnearnedProblem())
	assert.Contains(t, h.UnearnedProblem().Error(), "votes from only [s0] of 3 servers")
}

// A Raft may send its votes as RPCs of their own, voter to candidate: those
// count from when they are sent, unless the network loses them before the
// candidate's handler runs.
func TestVotesSentAsMessagesCount(t *testing.T) {
	type voteMessage struct {
		Term        int
		VoteGranted bool
	}
	var buf bytes.Buffer
	require.NoError(t, labgob.NewEncoder(&buf).Encode(voteMessage{Term: 3, VoteGranted: true}))
	message := func(kind labrpc.EventKind, call int, from string) *Event {
		return &Event{Event: labrpc.Event{Kind: kind, Call: call, End: from + "->s0#1", Server: "s0",
			Method: "Raft.GrantVote", Args: buf.Bytes()}}
	}

	h := New(0, time.Second)
	h.size = 5
	h.Observe(message(labrpc.Sent, 1, "s1"))
	h.Observe(message(labrpc.Sent, 2, "s2"))
	h.Observe(message(labrpc.RequestDropped, 2, "s2"))
	h.sent(0, 1, "AppendEntries", 3, ms(400))
	require.NotNil(t, h.UnearnedProblem(), "s2's vote was lost on the way")
	assert.Contains(t, h.UnearnedProblem().Error(), "votes from only [s0 s1] of 5 servers")

	h = New(0, time.Second)
	h.size = 5
	h.Observe(message(labrpc.Sent, 1, "s1"))
	h.Observe(message(labrpc.Sent, 2, "s2"))
	h.Observe(message(labrpc.Delivered, 2, "s2"))
	h.sent(0, 1, "AppendEntries", 3, ms(400))
	assert.Nil(t, h.UnearnedProblem())
}
