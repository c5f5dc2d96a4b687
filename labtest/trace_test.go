package labtest_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"raftlabs/labrpc"
	"raftlabs/labtest"
	"raftlabs/labtest/testdata/broken"
	"raftlabs/labtrace"
	"raftlabs/raftapi"
)

// scripted is a Raft that plays one election and nothing else: 100ms
// after boot, s0 stands in term 1 and asks s1, then s2, for their votes,
// and leads once one vote has come. Every other server only votes.
type scripted struct {
	mu     sync.Mutex
	peers  []*labrpc.ClientEnd
	me     int
	term   int
	leader bool
	dead   atomic.Bool
}

// ScriptVoteArgs and ScriptVoteReply are the scripted Raft's RequestVote.
type ScriptVoteArgs struct{ Term, Candidate int }
type ScriptVoteReply struct {
	Term    int
	Granted bool
}

func makeScripted(peers []*labrpc.ClientEnd, me int, _ *raftapi.Persister, _ chan raftapi.ApplyMsg) *scripted {
	s := &scripted{peers: peers, me: me}
	if me == 0 {
		go s.stand()
	}
	return s
}

func (s *scripted) stand() {
	time.Sleep(100 * time.Millisecond)
	s.mu.Lock()
	s.term = 1
	s.mu.Unlock()
	for _, i := range []int{1, 2} {
		var reply ScriptVoteReply
		if s.peers[i].Call("scripted.RequestVote", &ScriptVoteArgs{Term: 1, Candidate: 0}, &reply) && reply.Granted {
			s.mu.Lock()
			s.leader = true
			s.mu.Unlock()
		}
	}
}

func (s *scripted) RequestVote(args *ScriptVoteArgs, reply *ScriptVoteReply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.term = max(s.term, args.Term)
	reply.Term, reply.Granted = s.term, true
}

func (s *scripted) GetState() (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.term, s.leader
}

func (s *scripted) Start(any) (int, int, bool) { return -1, 0, false }
func (s *scripted) Snapshot(int, []byte)       {}
func (s *scripted) Kill()                      { s.dead.Store(true) }

// oneElection cuts s2 off, so that its vote is lost, and lets s0 win with
// s1's.
func oneElection(c *labtest.Cluster) {
	c.Boot(3)
	c.Disconnect(2)
	c.Sleep(8 * time.Second) // a call to a cut-off server fails within 7s
	c.GetState(0)
	c.GetState(1)
}

// TestTraceOfOneElection checks that the trace of a scripted election with
// one lost vote is exactly what happened, in order.
func TestTraceOfOneElection(t *testing.T) {
	// Run runs the test again in a child process, which inherits the
	// parent's folder for traces.
	dir := os.Getenv("RAFTLABS_TRACE_DIR")
	if dir == "" || !strings.Contains(dir, "TestTraceOfOneElection") {
		dir = t.TempDir()
	}
	t.Setenv("RAFTLABS_TRACE", "1")
	t.Setenv("RAFTLABS_TRACE_DIR", dir)
	t.Setenv("RAFTLABS_SEED", "1")
	labtest.Run(t, oneElection, makeScripted)

	records, err := labtrace.ReadFile(filepath.Join(dir, "TestTraceOfOneElection-seed1.jsonl"))
	require.NoError(t, err)
	var got []string
	for _, r := range records {
		got = append(got, strings.TrimSpace(r.Server+" "+r.String()))
	}
	assert.Equal(t, []string{
		"test TestTraceOfOneElection, seed 1, virtual time",
		"boot 3 servers",
		"s0 started",
		"s1 started",
		"s2 started",
		"network: {s0 s1 s2}",
		"network: {s0 s1} | s2 cut off",
		"s0 candidate in term 1 (sent RequestVote)",
		"RequestVote s0->s1 T1 -> T1 yes",
		"s1 follower in term 1 (answered RequestVote)",
		"RequestVote s0->s2 T1: unreachable",
		"s0 leader in term 1 (GetState)",
		"end",
	}, got)

	// Times: s0 stands 100ms after its boot; the lost vote fails later.
	for _, r := range records {
		if r.Kind == labtrace.RPC && r.To == "s1" {
			assert.InDelta(t, 100_000, r.T, 1000, "s0 asks s1 100ms after boot")
			assert.Equal(t, r.T, r.Done, "a reliable network delivers at once on the virtual clock")
		}
		if r.Kind == labtrace.RPC && r.To == "s2" {
			assert.Greater(t, r.Done, r.T, "an unreachable call fails after a delay")
		}
	}
}

// TestTraceFailingRaft runs a Raft whose voters keep votedFor across terms,
// in a child process started by TestTraceEndsWithTheFailedCheck.
func TestTraceFailingRaft(t *testing.T) {
	if os.Getenv("RAFTLABS_TRACE_FAILING") == "" {
		t.Skip("run by TestTraceEndsWithTheFailedCheck in a child process")
	}
	labtest.Run(t, labtest.ElectionSpeed, broken.MakeFlawed(broken.Flaws{KeepVotedFor: true}))
}

// TestTraceEndsWithTheFailedCheck checks that a failing test writes its
// trace without being asked, names the file in its verdict, and that the
// trace's last record is the check that failed, with its message.
func TestTraceEndsWithTheFailedCheck(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run", "^TestTraceFailingRaft$", "-test.v")
	cmd.Env = append(os.Environ(), "RAFTLABS_TRACE_FAILING=1", "RAFTLABS_TRACE_DIR="+dir, "RAFTLABS_TRACE=")
	out, err := cmd.CombinedOutput()
	output := string(out)
	require.Error(t, err, "the flawed Raft's test must fail:\n%s", output)

	m := regexp.MustCompile(`trace: (\S+\.jsonl)`).FindStringSubmatch(output)
	require.NotNil(t, m, "the verdict names the trace file:\n%s", output)
	assert.Equal(t, dir, filepath.Dir(m[1]))
	records, err := labtrace.ReadFile(m[1])
	require.NoError(t, err)
	require.NotEmpty(t, records)

	last := records[len(records)-1]
	assert.Equal(t, labtrace.Fail, last.Kind, "the last record is the failed check")
	assert.True(t, strings.HasPrefix(last.Text, "no new leader 5s after leader"), "the check's message: %q", last.Text)
	assert.Regexp(t, `^lab1\.go:\d+$`, last.Where)
	assert.Contains(t, output, strings.SplitN(last.Text, "\n", 2)[0], "the trace's message is the verdict's")

	kinds := map[labtrace.Kind]int{}
	leaders := map[string]bool{}
	for _, r := range records {
		kinds[r.Kind]++
		if r.Kind == labtrace.State && r.Role == labtrace.Leader {
			leaders[fmt.Sprintf("%s T%d", r.Server, r.Term)] = true
		}
		assert.LessOrEqual(t, r.T, last.T+1, "nothing after the failure: %v", r)
	}
	assert.Greater(t, kinds[labtrace.RPC], 10, "the RPCs are traced")
	assert.NotEmpty(t, leaders, "the leaders are traced")
	assert.GreaterOrEqual(t, kinds[labtrace.Network], 2, "the cut-off leader is traced")
}
