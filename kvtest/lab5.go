package kvtest

import (
	"fmt"
	"time"

	"raftlabs/labtest"
)

// Lab 5: a linearizable key/value service on the student's Raft. Paper §8
// (client interaction) and, for snapshots, §7. Every test ends with the
// linearizability check of every operation its clerks made (linearizable.go).

// SnapshotLimit is the maxraftstate of the tests that snapshot: the size,
// in bytes, of saved Raft state at which a server must snapshot.
const SnapshotLimit = 1000

// RaftStateSlack is how far past SnapshotLimit the tests let a server's
// saved Raft state grow: the entries that arrive while the service is
// taking its snapshot, as MIT's tests allow.
const RaftStateSlack = 8

// SpeedFloor is the fewest operations a second, on the test's clock, that
// one clerk must complete with nothing failing: more than three per
// heartbeat, so that a leader that waits for the next heartbeat to send a
// new entry, or a server that polls for applied entries, is too slow.
const SpeedFloor = 30

// clientPause is how long the clients of the scenarios pause between
// operations: five clerks then make about fifty operations a second of
// the test's clock. More would catch no more: the scenarios catch bugs by
// their faults and the history check, and each operation costs the
// virtual clock real time (the work of five servers and the harness).
const clientPause = 100 * time.Millisecond

// OneClient checks that one clerk's Puts, Appends and Gets take effect in
// order, each once, and that a service told never to snapshot does not.
// Paper §8.
func OneClient(s *Service) {
	s.Boot(5, NoSnapshots)
	s.CheckWritesSaved()
	ck := s.NewClerk()

	// With one clerk, every value is known: each Get must return it.
	s.CheckGet(ck, "a", "")
	ck.Put("a", "x")
	s.CheckGet(ck, "a", "x")
	want := map[string]string{}
	for k := range 60 {
		key := fmt.Sprintf("k%d", k%3)
		value := fmt.Sprintf("%d;", k)
		if k%10 == 0 {
			ck.Put(key, value)
			want[key] = value
		} else {
			ck.Append(key, value)
			want[key] += value
		}
		s.CheckGet(ck, key, want[key])
	}

	// maxraftstate -1: the servers must not snapshot.
	for i := range s.N() {
		if size := s.SnapshotSize(i); size > 0 {
			s.Fatalf("s%d saved a snapshot of %d bytes although StartKVServer's maxraftstate was -1, "+
				"which means never snapshot", i, size)
		}
	}
}

// ManyClients checks that the operations of five clerks at once, on
// three keys they share, are linearizable. Paper §8.
func ManyClients(s *Service) {
	s.Boot(5, NoSnapshots)
	s.CheckWritesSaved()
	clients := s.StartClients(Workload{Clerks: 5, Keys: 3, Pause: clientPause})
	s.Sleep(5 * time.Second)
	clients.Stop()
}

// Unreliable checks that five clerks' operations stay linearizable on a
// network that loses and delays requests and replies: a clerk retries what
// it did not hear back about, and a retried Put or Append must take effect
// once. Paper §8: "The solution is for clients to assign unique serial
// numbers to every command".
func Unreliable(s *Service) {
	s.Boot(5, NoSnapshots, labtest.Unreliable)
	s.CheckWritesSaved()
	// Twice the other scenarios' pace: the retries the lost messages cause
	// are what this test is for, and a duplicate shows only in a later Get.
	clients := s.StartClients(Workload{Clerks: 5, Keys: 3, Pause: clientPause / 2})
	s.Sleep(5 * time.Second)
	clients.Stop()
}

// MinorityLeader checks that a leader cut off with a minority serves
// nothing, neither writes nor reads, while the majority goes on without it,
// and that the cut-off clerk's operations complete once the partition
// heals. Paper §8: "a leader must check whether it has been deposed before
// processing a read-only request".
func MinorityLeader(s *Service) {
	s.Boot(5, NoSnapshots)
	s.CheckWritesSaved()
	ck := s.NewClerk()
	ck.Put("a", "before")
	ck.Put("b", "before")

	// The leader and one follower on one side, the other three on the other.
	leader := s.CheckOneLeader()
	minority := []int{leader, s.Next(leader)}
	majority := []int{s.Next(s.Next(leader)), s.Next(s.Next(s.Next(leader))), s.Next(s.Next(s.Next(s.Next(leader))))}
	s.Partition(minority, majority)
	cut := s.NewClerk()
	cut.ConnectTo(minority...)
	ck.ConnectTo(majority...)

	// The majority elects a leader and serves: the values change there.
	ck.Put("a", "after")
	s.CheckGet(ck, "a", "after")

	// The old leader still believes it leads: it must answer neither a
	// write nor a read (its value of "a" is stale).
	why := fmt.Sprintf("the clerk reached only {s%d s%d}, the old leader and one follower, 2 servers of 5", minority[0], minority[1])
	put := s.CheckBlocked(cut, func(ck *TestClerk) { ck.Put("b", "minority") }, time.Second, why)
	reader := s.NewClerkTo(minority...)
	get := s.CheckBlocked(reader, func(ck *TestClerk) { ck.Get("a") }, time.Second, why)

	// Healed, and the clerks able to reach every server, the cut-off
	// operations complete.
	s.Heal()
	for _, c := range []*TestClerk{ck, cut, reader} {
		c.ConnectTo(all(s.N())...)
	}
	s.WaitDone(cut, put, 10*time.Second, "the partition healed")
	s.WaitDone(reader, get, 10*time.Second, "the partition healed")
	s.CheckGet(ck, "b", "minority")
}

// Partitions checks that five clerks' operations stay linearizable while
// the servers are partitioned again and again, the leader often on the
// minority side; each clerk may reach every server. Paper §8.
func Partitions(s *Service) {
	s.Boot(5, NoSnapshots)
	s.CheckWritesSaved()
	clients := s.StartClients(Workload{Clerks: 5, Keys: 3, Pause: clientPause})
	for range 5 {
		s.randomPartition()
		s.Sleep(time.Second + time.Duration(s.Rand(500))*time.Millisecond)
	}
	s.Heal()
	s.Sleep(labtest.ElectionTimeout)
	clients.Stop()
}

// Crashes checks that five clerks' operations stay linearizable while
// servers crash and restart, one at a time and, once, all at once: a
// server rebuilds its key/value state from its Raft log. Paper §8, §5.
func Crashes(s *Service) {
	s.Boot(5, NoSnapshots)
	s.CheckWritesSaved()
	s.crashRounds(5, false)
}

// CrashesUnreliable checks that five clerks' operations stay linearizable
// on an unreliable network, while servers crash and restart and the
// network is partitioned, with snapshots: a restarted server rebuilds its
// state from its snapshot and the log after it, duplicate detection
// included. Paper §8, §7.
func CrashesUnreliable(s *Service) {
	s.Boot(5, SnapshotLimit, labtest.Unreliable)
	s.crashRounds(5, true)
	s.CheckRaftStateSizes()
}

// SnapshotSize checks that each server's saved Raft state stays near
// maxraftstate while one clerk writes far more than that: the service
// must snapshot through Raft's Snapshot when the state reaches the limit.
// Paper §7.
func SnapshotSize(s *Service) {
	s.Boot(3, SnapshotLimit)
	s.CheckWritesSaved()
	ck := s.NewClerk()
	want := ""
	for k := range 200 {
		value := fmt.Sprintf("x%d;", k)
		ck.Append("a", value)
		want += value
		if k%20 == 19 {
			s.CheckGet(ck, "a", want)
			s.CheckRaftStateSizes()
		}
	}
}

// SnapshotRestart checks that a service restarted from its snapshot has
// every write the snapshot covers, and applies none twice: all servers
// crash after their logs were compacted, and restart from disk. Paper §7.
func SnapshotRestart(s *Service) {
	s.Boot(3, SnapshotLimit)
	s.CheckWritesSaved()
	ck := s.NewClerk()
	want := map[string]string{}
	for k := range 90 {
		key := fmt.Sprintf("k%d", k%3)
		value := fmt.Sprintf("%d;", k)
		ck.Append(key, value)
		want[key] += value
	}
	s.CheckRaftStateSizes()

	// Every server down, then up again from what it saved.
	for i := range s.N() {
		s.Crash(i)
	}
	for i := range s.N() {
		s.Restart(i)
	}
	for key, value := range want {
		s.CheckGet(ck, key, value)
	}
	ck.Append("k0", "after;")
	s.CheckGet(ck, "k0", want["k0"]+"after;")
}

// SnapshotDuplicates checks that a write retried after every server has
// restarted from a snapshot that covers it takes effect once: the
// snapshot must hold the duplicate detection's table beside the store.
// The clerk's Append commits, its reply is lost, every server restarts
// from its snapshot, and the clerk sends the Append again. Paper §8, §7.
func SnapshotDuplicates(s *Service) {
	s.Boot(3, 1) // a snapshot after every entry
	s.CheckWritesSaved()
	ck := s.NewClerk()
	ck.Put("a", "x;")
	leader := s.CheckOneLeader()

	// The leader alone, so that the clerk's Append waits in its handler.
	others := []int{s.Next(leader), s.Next(s.Next(leader))}
	s.Partition([]int{leader}, others)
	ck.ConnectTo(leader)
	done := make(chan struct{})
	go func() {
		defer close(done)
		ck.Append("a", "once;")
	}()
	s.Sleep(100 * time.Millisecond)

	// The clerk cut off from the leader, the reply is lost; healed, the
	// leader commits the Append and every server snapshots it.
	ck.ConnectTo()
	s.Heal()
	s.Sleep(labtest.ElectionTimeout)

	// Every server restarts from its snapshot; the clerk, back in touch,
	// sends the Append again.
	for i := range s.N() {
		s.Crash(i)
	}
	for i := range s.N() {
		s.Restart(i)
	}
	ck.ConnectTo(all(s.N())...)
	<-done
	s.CheckGet(s.NewClerk(), "a", "x;once;")
}

// Speed checks that one clerk's operations complete at more than 30 a
// second of the test's clock when nothing fails (SpeedFloor): a leader sends a new entry when
// Start is called, and a server answers as soon as the entry is applied.
func Speed(s *Service) {
	s.Boot(3, NoSnapshots)
	s.CheckWritesSaved()
	ck := s.NewClerk()
	ck.Put("a", "") // the first waits for an election
	const ops = 200
	want := ""
	start := s.Now()
	for k := range ops {
		value := fmt.Sprintf("%d;", k)
		ck.Append("a", value)
		want += value
	}
	took := s.Now() - start
	s.CheckGet(s.NewClerk(), "a", want)
	if rate := float64(ops) / took.Seconds(); rate < SpeedFloor {
		s.Fatalf("%d Appends by one clerk took %.2fs of the test's clock, %v each: %.0f a second, under the floor "+
			"of %d a second (a heartbeat is 100ms): a leader should send a new entry as soon as Start is called, "+
			"not at the next heartbeat, and the server should answer as soon as the entry is applied, not poll for it",
			ops, took.Seconds(), (took / ops).Round(time.Millisecond), rate, SpeedFloor)
	}
}

// Kill checks that Kill stops a server: its Raft calls no one once the
// calls it had under way are done, the service goes on without it, and
// once every server is killed, none of their goroutines still runs. Other
// tests only warn about goroutines left behind; this one costs the points.
// The skeleton's comment on Kill states the rule.
func Kill(s *Service) {
	s.Boot(5, SnapshotLimit)
	clients := s.StartClients(Workload{Clerks: 3, Keys: 3, Pause: clientPause})
	s.Sleep(time.Second)

	// The leader crashes, which kills it. Its calls under way fail within
	// killSettle (a crashed server's ends are cut, and a cut call fails
	// fast here); after that, a killed server calls no one.
	leader := s.CheckOneLeader()
	s.Crash(leader)
	killedAt := s.Now()
	s.Sleep(killSettle)
	calls, done := s.CallsFrom(leader), s.history.returns()
	s.Sleep(2 * time.Second)
	if more := s.CallsFrom(leader) - calls; more > 0 {
		s.Fatalf("s%d was killed at %.2fs (crashed: cut off, and its KVServer's Kill called), and from %v after that "+
			"it still made %d RPCs in %v: once killed, "+
			"a server must stop calling (its Raft's sending goroutines return once killed() is true), and "+
			"KVServer.Kill must kill the server's Raft", leader, killedAt.Seconds(), killSettle, more, 2*time.Second)
	}

	// The other four, a majority, go on serving the clerks.
	if served := s.history.returns() - done; served < minServedAfterKill {
		s.Fatalf("the clerks' operations returned %d times in the 2s after s%d was killed, fewer than %d: the other "+
			"%d servers, a majority, must go on serving (a clerk that keeps trying the dead server must move on "+
			"to the next)", served, leader, minServedAfterKill, s.N()-1)
	}
	clients.Stop()
	s.CheckKillStopsGoroutines()
}

// killSettle is how long Kill lets a killed server's calls under way end;
// minServedAfterKill how many operations its clerks must complete in the
// 2s after.
const (
	killSettle         = time.Second
	minServedAfterKill = 10
)
