package stacks

import (
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"raftlabs/labrpc"
)

const sampleDump = `goroutine 24 [sync.Mutex.Lock, synctest bubble 3]:
sync.(*Mutex).Lock(...)
	/usr/local/go/src/sync/mutex.go:46
raftlabs/lab1-election.(*Raft).GetState(0xc000010000)
	/work/lab1-election/raft.go:40 +0x51

goroutine 28 [sleep (durable), synctest bubble 3]:
time.Sleep(0x989680)
	/usr/local/go/src/runtime/time.go:361 +0x145
raftlabs/lab1-election.(*Raft).ticker(0xc000010000)
	/work/lab1-election/raft.go:90 +0x4f

goroutine 7 [chan receive (durable), synctest bubble 3]:
testing/synctest.testingSynctestTest(0x1, 0x2)
	/usr/local/go/src/testing/testing.go:2151 +0x292

goroutine 1 [chan receive, 2 minutes]:
testing.(*T).Run(0x1, {0x2, 0x3}, 0x4)
	/usr/local/go/src/testing/testing.go:2109 +0x4e5
`

func TestParseGoroutines(t *testing.T) {
	gs := Parse([]byte(sampleDump))
	require.Len(t, gs, 4)

	assert.Equal(t, 24, gs[0].ID)
	assert.Equal(t, "sync.Mutex.Lock", gs[0].Status)
	assert.False(t, gs[0].Durable)
	assert.Equal(t, 3, gs[0].Bubble)

	assert.Equal(t, "sleep", gs[1].Status)
	assert.True(t, gs[1].Durable)
	assert.True(t, gs[1].isSuspectHolder())

	assert.True(t, gs[2].IsHarness())

	assert.Equal(t, "chan receive", gs[3].Status)
	assert.Zero(t, gs[3].Bubble)
}

func TestDescribeStuckBlamesTheMutexWaiterAndNamesTheSleeper(t *testing.T) {
	got := DescribeStuck(Parse([]byte(sampleDump)), nil, "")
	assert.Contains(t, got, "goroutine 24 (sync.Mutex.Lock) stops virtual time: it waits for a mutex")
	assert.Contains(t, got, "goroutine 28 (sleep) may be holding the lock")
	assert.NotContains(t, got, "goroutine 7 ", "the synctest machinery is never blamed")
}

func TestTheHarnessSleepingIsNoSuspect(t *testing.T) {
	g := Goroutine{Status: "sleep", Durable: true, Stack: `goroutine 9 [sleep (durable), synctest bubble 1]:
time.Sleep(0x3e8)
	/usr/local/go/src/runtime/time.go:361 +0x145
raftlabs/labtest.(*Cluster).startServer(0xc000010000, 0x2)
	/work/main/labtest/cluster.go:300 +0x1d1`}
	assert.False(t, g.isSuspectHolder())
}

func TestFramePackageAndTheStandardLibrary(t *testing.T) {
	for frame, want := range map[string]string{
		"sync.(*Mutex).Lock(...)":                             "sync",
		"internal/sync.(*Mutex).lockSlow(0xc000010000)":       "internal/sync",
		"raftlabs/lab1-election.(*Raft).ticker(0xc000010000)": "raftlabs/lab1-election",
		"raftlabs/labrpc.(*ClientEnd).Call(0xc0, {0x1, 0x2})": "raftlabs/labrpc",
		"github.com/some/module/pkg.F[...](0x1)":              "github.com/some/module/pkg",
		"slices.SortFunc[...](...)":                           "slices",
	} {
		assert.Equal(t, want, framePackage(frame), frame)
	}
	assert.True(t, isStandardPackage("sync"))
	assert.True(t, isStandardPackage("internal/sync"))
	assert.False(t, isStandardPackage("raftlabs/labrpc"))
	assert.False(t, isStandardPackage("raftlabs/lab1-election"))
	assert.False(t, isStandardPackage("github.com/some/module/pkg"))
}

// A //line directive can give a student's file any name; the harness reads
// only function names, which a student cannot choose outside its package.
func TestAFileNamedLikeTheHarnessDoesNotMakeAGoroutineTheHarnesss(t *testing.T) {
	leak := Goroutine{ID: 40, Status: "sleep", Durable: true, Stack: `goroutine 40 [sleep (durable), synctest bubble 1]:
time.Sleep(0x3b9aca00)
	runtime/time.go:361 +0x145
raftlabs/lab1-election.(*Raft).hidden(0xc000010000)
	internal/synctest.Run(:1 +0x4f
created by raftlabs/lab1-election.Make in goroutine 12
	testing/synctest.testingSynctestTest(:2 +0x1d1`}
	assert.False(t, leak.IsHarness())
	assert.True(t, leak.isSuspectHolder())
	pkg, ok := leak.innermostPackage()
	assert.True(t, ok)
	assert.Equal(t, "raftlabs/lab1-election", pkg)
	assert.Equal(t, "0xc000010000", leak.receiver())

	posing := Goroutine{ID: 41, Status: "sync.Mutex.Lock", Stack: `goroutine 41 [sync.Mutex.Lock, synctest bubble 1]:
sync.(*Mutex).Lock(...)
	sync/mutex.go:46
raftlabs/lab1-election.(*Raft).GetState(0xc000010000)
	sync/mutex.go:90 +0x4f`}
	assert.True(t, posing.waitsForServerLock(), "a file named like the standard library's is still the student's")
}

func TestStacksThatDifferOnlyInArgumentsAreOneGroup(t *testing.T) {
	stack := func(id int, arg string) Goroutine {
		return Goroutine{ID: id, Status: "sync.Mutex.Lock", Stack: fmt.Sprintf("goroutine %d [sync.Mutex.Lock]:\n"+
			"sync.(*Mutex).Lock(%s)\n\tsync/mutex.go:46 +0x%d\n"+
			"raftlabs/solutions.(*Raft).requestVote(%s, 0x1)\n\traftlabs/solutions/election.go:112 +0xac\n"+
			"created by raftlabs/solutions.(*Raft).startElection in goroutine %d\n\traftlabs/solutions/election.go:103 +0x16c",
			id, arg, id, arg, id+1)}
	}
	var gs []Goroutine
	for k := range 1000 {
		gs = append(gs, stack(10+k, fmt.Sprintf("0x%x", 0xc000+k)))
	}
	other := Goroutine{ID: 5, Status: "sleep", Stack: "goroutine 5 [sleep]:\ntime.Sleep(0x1)\n\truntime/time.go:1 +0x1"}
	groups := groupStacks(append(gs, other), nil)
	require.Len(t, groups, 2)
	assert.Equal(t, 10, groups[0].first.ID)
	assert.Equal(t, " and 999 more with the same stack", groups[0].others())
	assert.Equal(t, 1001, groups[0].rest)
	assert.Equal(t, "", groups[1].others())

	var b strings.Builder
	listed := 0
	for range maxStacksListed {
		assert.True(t, listGroup(&b, &listed, groups[1]))
	}
	assert.False(t, listGroup(&b, &listed, groups[0]), "past the bound, nothing more is listed")
	assert.Equal(t, "(1001 more goroutines not shown)\n", b.String())
}

func TestInHarnessTellsTheCoursesCodeFromTheStudents(t *testing.T) {
	decoding := Goroutine{ID: 123, Status: "runnable", Stack: "goroutine 123 [runnable]:\n" +
		"encoding/gob.(*Decoder).nextInt(0xc00009e750)\n\tencoding/gob/decoder.go:121 +0x105\n" +
		"raftlabs/labtest/internal/history.decodeRPCFields({0xc001d62000, 0x1e8556, 0x1ea000})\n\traftlabs/labtest/internal/history/history.go:123 +0xfd\n" +
		"raftlabs/solutions.(*Raft).sendAppendEntries(0xc00009a480, 0x1)\n\traftlabs/solutions/replication.go:198 +0x14b"}
	assert.True(t, decoding.InHarness(), "decoding an RPC for the history is the harness's work, not a busy loop")

	spinning := Goroutine{ID: 7, Status: "running", Stack: "goroutine 7 [running]:\n" +
		"raftlabs/lab1-election.(*Raft).ticker(0xc00009a480)\n\traftlabs/lab1-election/raft.go:80 +0x14b\n" +
		"created by raftlabs/lab1-election.Make in goroutine 6\n\traftlabs/lab1-election/raft.go:120 +0x1"}
	assert.False(t, spinning.InHarness())

	// labtest/testdata's Rafts stand for students' code, under the
	// harness's path: they are not the harness.
	broken := Goroutine{ID: 9, Status: "running", Stack: "goroutine 9 [running]:\n" +
		"raftlabs/labtest/testdata/broken.(*Flawed).ticker(0xc00009a480)\n\traftlabs/labtest/testdata/broken/flawed.go:140 +0x14b\n" +
		"created by raftlabs/labtest/testdata/broken.Make in goroutine 6\n\traftlabs/labtest/testdata/broken/flawed.go:120 +0x1"}
	assert.False(t, broken.InHarness())
}

// A sleep in the harness's own code (a scenario's Sleep, in labtest or its
// machinery) holds no lock of a server's; a sleep in the code under test,
// labtest/testdata's included, may.
func TestSuspectHoldersSleepInTheCodeUnderTest(t *testing.T) {
	sleepingIn := func(caller string) Goroutine {
		return Goroutine{ID: 5, Status: "sleep", Durable: true, Stack: "goroutine 5 [sleep]:\n" +
			"time.Sleep(0x989680)\n\truntime/time.go:338 +0x165\n" + caller + "(0xc00009a480)\n\tfile.go:1 +0x1"}
	}
	assert.False(t, sleepingIn("raftlabs/labtest.(*Cluster).Sleep").isSuspectHolder())
	assert.False(t, sleepingIn("raftlabs/labtest/internal/puppets.(*Puppet).RequestVote").isSuspectHolder())
	assert.True(t, sleepingIn("raftlabs/labtest/testdata/broken.(*base).GetState").isSuspectHolder())
	assert.True(t, sleepingIn("raftlabs/lab1-election.(*Raft).ticker").isSuspectHolder())
}

// Blocker is a service whose handler waits until release is closed.
type Blocker struct{ release chan struct{} }

func (b *Blocker) Wait(args int, reply *int) { <-b.release }

// A handler goroutine that waits for its server's next call is the
// network's, not the code under test's: no leak, no suspect. One that is
// serving a call is the handler's, and is blamed like any other.
func TestAnIdleHandlerGoroutineIsTheHarnesss(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		net := labrpc.NewNetwork(1)
		defer net.Close()
		net.SetHandlerReuse(true)
		b := &Blocker{release: make(chan struct{})}
		srv := labrpc.NewServer()
		srv.AddService(labrpc.NewService(b))
		net.AddServer("s", srv)
		end := net.NewEnd("c")
		net.Connect("c", "s")
		net.Enable("c", true)

		go end.Call("Blocker.Wait", 1, new(int))
		time.Sleep(time.Millisecond) // past the call's time on the wire
		synctest.Wait()
		serving := handlerGoroutines(t)
		require.Len(t, serving, 1)
		assert.False(t, serving[0].IsHarness(), "a handler serving a call is the code under test's")
		assert.Contains(t, DescribeBlocked(serving, nil), "Blocker).Wait")

		close(b.release)
		synctest.Wait()
		idle := handlerGoroutines(t)
		require.Len(t, idle, 1, "the handler goroutine waits for the next call")
		assert.True(t, idle[0].IsHarness(), "an idle handler goroutine is the network's:\n%s", idle[0].Stack)
		assert.Empty(t, DescribeBlocked(idle, nil))

		net.DeleteServer("s")
		synctest.Wait()
		assert.Empty(t, handlerGoroutines(t), "deleting the server ends its idle handler goroutines")
	})
}

// handlerGoroutines returns the goroutines of labrpc's handlers.
func handlerGoroutines(t *testing.T) []Goroutine {
	t.Helper()
	var gs []Goroutine
	for _, g := range All() {
		if g.Calls("raftlabs/labrpc.(*Network).handlerLoop(") {
			gs = append(gs, g)
		}
	}
	return gs
}
