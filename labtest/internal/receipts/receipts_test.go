package receipts

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"

	"raftlabs/labgob"
	"raftlabs/labrpc"
	"raftlabs/labtest/internal/history"
)

type entry struct {
	Term    int
	Command any
}

type appendArgs struct {
	Term, PrevLogIndex int
	Entries            []entry
}

type installArgs struct {
	Term, LastIncludedIndex int
	Data                    []byte
}

func encode(t *testing.T, v any) []byte {
	var b bytes.Buffer
	if err := labgob.NewEncoder(&b).Encode(v); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func event(kind labrpc.EventKind, to, method string, args []byte) *history.Event {
	return &history.Event{Event: labrpc.Event{Kind: kind, End: "s0->" + to, Server: to, Method: "Raft." + method, Args: args}}
}

// A command counts as received at its index from the moment a message
// carrying it is sent, and no longer once the network reports the message
// lost before its handler ran.
func TestReceiptsFollowTheMessages(t *testing.T) {
	r := New(3)
	args := encode(t, appendArgs{Term: 2, PrevLogIndex: 4, Entries: []entry{{2, 105}, {2, "x"}}})
	assert.Error(t, r.CheckReceived(1, 5, 105), "nothing sent yet")

	r.Observe(event(labrpc.Sent, "s1", "AppendEntries", args))
	assert.NoError(t, r.CheckReceived(1, 5, 105))
	assert.NoError(t, r.CheckReceived(1, 6, "x"))
	assert.Equal(t, []int{5}, r.IndexesOf(1, 105))
	err := r.CheckReceived(1, 6, 105)
	if assert.Error(t, err, "the command, but at another index") {
		assert.Contains(t, err.Error(), "s1 applied 105 at index 6, but it never received that command at that index")
	}
	assert.Error(t, r.CheckReceived(2, 5, 105), "another server")

	r.Observe(event(labrpc.RequestDropped, "s1", "AppendEntries", args))
	assert.Error(t, r.CheckReceived(1, 5, 105), "lost before its handler ran")
}

// A Start counts for any index while it runs, and then for the index it
// returned if its server said it leads.
func TestReceiptsCountStarts(t *testing.T) {
	r := New(3)
	r.Starting(0, 7)
	assert.NoError(t, r.CheckReceived(0, 3, 7), "while Start runs")
	r.Started(0, 7, 3, true)
	assert.NoError(t, r.CheckReceived(0, 3, 7))
	assert.Error(t, r.CheckReceived(0, 4, 7))

	r.Starting(1, 8)
	r.Started(1, 8, 3, false)
	assert.Error(t, r.CheckReceived(1, 3, 8), "a Start that said the server does not lead")
}

// A snapshot counts once an InstallSnapshot carried its bytes, or the
// server held them without the network.
func TestReceiptsFollowSnapshots(t *testing.T) {
	r := New(2)
	data := []byte("the service's snapshot")
	assert.Error(t, r.CheckSnapshotReceived(1, 10, data))
	r.Observe(event(labrpc.Sent, "s1", "InstallSnapshot", encode(t, installArgs{Term: 3, LastIncludedIndex: 10, Data: data})))
	assert.NoError(t, r.CheckSnapshotReceived(1, 10, data))
	assert.Error(t, r.CheckSnapshotReceived(0, 10, data))
	r.SnapshotHeld(0, data)
	assert.NoError(t, r.CheckSnapshotReceived(0, 10, data))
}
