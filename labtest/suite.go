package labtest

import (
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strings"
)

// A Test is one graded test: a scenario, the lab it belongs to, and its
// points. The test function in a lab folder is named after the scenario
// and its lab, e.g. TestReElectionLab1.
type Test struct {
	Lab      int
	Scenario Scenario
	Points   int

	// OwnLabOnly keeps the test out of later labs' folders, for a rule that
	// each lab checks with a test of its own, so that a Raft that breaks
	// only that rule loses one lab's share of points in a lab, not one per
	// lab so far: the Kill tests (goroutines left after Kill), and the
	// tests that send RPCs of their own (Probe).
	OwnLabOnly bool

	// Probe marks a test that sends RPCs of its own or answers for crashed
	// servers (probes.go, puppets.go): a Raft whose handlers do not fill in
	// their replies (it answers with RPCs of its own) cannot pass it. Such
	// tests are OwnLabOnly and weigh at most 10 points of a lab
	// (TestProbeWeight); docs/from-mit.md lists them.
	Probe bool

	// Service names the scenario of a test of a service built on Raft
	// (lab 5) in the package that tests the service, such as
	// "kvtest.OneClient"; Scenario is then nil. Such a test is bound in its
	// lab folder to the service's constructors rather than to Make
	// (ServiceBindings).
	Service string
}

// ServiceBindings is, for each package that tests a service built on Raft,
// the lab folder's constructors its Run takes after the scenario.
var ServiceBindings = map[string]string{"kvtest": "StartKVServer, MakeClerk"}

// Name returns the test function's name, e.g. "TestReElectionLab1".
func (t Test) Name() string {
	return fmt.Sprintf("Test%sLab%d", t.ScenarioName(), t.Lab)
}

// ScenarioName returns the scenario function's name, e.g. "ReElection".
func (t Test) ScenarioName() string {
	if t.Service != "" {
		return t.Service[strings.LastIndex(t.Service, ".")+1:]
	}
	full := runtime.FuncForPC(reflect.ValueOf(t.Scenario).Pointer()).Name()
	return full[strings.LastIndex(full, ".")+1:]
}

// Suite is every graded test, lab by lab, in the order they run. It is the
// one place that decides which tests exist and what each is worth; each lab
// folder's suite_test.go, the handouts' tables and the GitHub Classroom
// workflow are generated from it (go run ./cmd/labgen), and the grader and
// the Gradescope bundle read it.
//
// To reweight a lab, change its tests' points here so that they still sum
// to the lab's Points (labs.go; CheckPoints says when they do not), then run
// go run ./cmd/labgen. A test worth 0 points is dropped: it is not in Suite,
// so it neither runs nor shows anywhere, in the grader, the lab folders'
// go test or the handouts.
var Suite = graded([]Test{
	{Lab: 1, Scenario: InitialElection, Points: 10},
	{Lab: 1, Scenario: CandidateYields, Points: 2, OwnLabOnly: true, Probe: true},
	{Lab: 1, Scenario: ReElection, Points: 15},
	{Lab: 1, Scenario: ManyElections, Points: 10},
	{Lab: 1, Scenario: UnreliableElection, Points: 10},
	{Lab: 1, Scenario: StepDown, Points: 10},
	{Lab: 1, Scenario: StaleCandidate, Points: 10},
	{Lab: 1, Scenario: StaleVote, Points: 3, OwnLabOnly: true, Probe: true},
	{Lab: 1, Scenario: IdleHeartbeats, Points: 10},
	{Lab: 1, Scenario: ElectionSpeed, Points: 10},
	{Lab: 1, Scenario: ElectionTimer, Points: 3, OwnLabOnly: true, Probe: true},
	{Lab: 1, Scenario: LateVotes, Points: 2, OwnLabOnly: true, Probe: true},
	{Lab: 1, Scenario: Kill, Points: 5, OwnLabOnly: true},

	{Lab: 2, Scenario: BasicAgree, Points: 5},
	{Lab: 2, Scenario: CommitWithinBatch, Points: 3, OwnLabOnly: true, Probe: true},
	{Lab: 2, Scenario: StaleAppendReply, Points: 3, OwnLabOnly: true, Probe: true},
	{Lab: 2, Scenario: RPCBytes, Points: 5},
	{Lab: 2, Scenario: FollowerFailure, Points: 10},
	{Lab: 2, Scenario: LeaderFailure, Points: 5},
	{Lab: 2, Scenario: RejoinFollower, Points: 5},
	{Lab: 2, Scenario: NoAgreeWithoutMajority, Points: 10},
	{Lab: 2, Scenario: ConcurrentStarts, Points: 5},
	{Lab: 2, Scenario: RejoinStaleLeader, Points: 10},
	{Lab: 2, Scenario: Backup, Points: 10},
	{Lab: 2, Scenario: RPCCounts, Points: 5},
	{Lab: 2, Scenario: Figure8, Points: 10},
	{Lab: 2, Scenario: LateAppendEntries, Points: 4, OwnLabOnly: true, Probe: true},
	{Lab: 2, Scenario: ReorderedReplies, Points: 5},
	{Lab: 2, Scenario: KillAfterAgreement, Points: 5, OwnLabOnly: true},

	{Lab: 3, Scenario: PersistBasic, Points: 10},
	{Lab: 3, Scenario: PersistStaggered, Points: 10},
	{Lab: 3, Scenario: PartitionedLeaderCrash, Points: 10},
	{Lab: 3, Scenario: PersistedTerm, Points: 4, OwnLabOnly: true, Probe: true},
	{Lab: 3, Scenario: PersistedVote, Points: 3, OwnLabOnly: true, Probe: true},
	{Lab: 3, Scenario: PersistedLog, Points: 3, OwnLabOnly: true, Probe: true},
	{Lab: 3, Scenario: UnreliableAgree, Points: 10},
	{Lab: 3, Scenario: Figure8Crashes, Points: 15},
	{Lab: 3, Scenario: Figure8Unreliable, Points: 10},
	{Lab: 3, Scenario: ChurnReliable, Points: 10},
	{Lab: 3, Scenario: ChurnUnreliable, Points: 10},
	{Lab: 3, Scenario: KillAfterRestarts, Points: 5, OwnLabOnly: true},

	{Lab: 4, Scenario: SnapshotBasic, Points: 10},
	{Lab: 4, Scenario: SnapshotInstall, Points: 10},
	{Lab: 4, Scenario: SnapshotInstallUnreliable, Points: 10},
	{Lab: 4, Scenario: SnapshotInstallCrash, Points: 10},
	{Lab: 4, Scenario: SnapshotInstallUnreliableCrash, Points: 10},
	{Lab: 4, Scenario: SnapshotAllCrash, Points: 10},
	{Lab: 4, Scenario: SnapshotInit, Points: 5},
	{Lab: 4, Scenario: SnapshotWholeLog, Points: 5},
	{Lab: 4, Scenario: InstallKeepsFollowing, Points: 5, OwnLabOnly: true, Probe: true},
	{Lab: 4, Scenario: StaleInstallSnapshot, Points: 5, OwnLabOnly: true, Probe: true},
	{Lab: 4, Scenario: InstallThenReplicate, Points: 5},
	{Lab: 4, Scenario: InstallWhileApplying, Points: 5},
	{Lab: 4, Scenario: DiscardedEntriesFreed, Points: 5},
	{Lab: 4, Scenario: KillAfterSnapshots, Points: 5, OwnLabOnly: true},

	{Lab: 5, Service: "kvtest.OneClient", Points: 5},
	{Lab: 5, Service: "kvtest.ManyClients", Points: 5},
	{Lab: 5, Service: "kvtest.Unreliable", Points: 10},
	{Lab: 5, Service: "kvtest.MinorityLeader", Points: 10},
	{Lab: 5, Service: "kvtest.Partitions", Points: 10},
	{Lab: 5, Service: "kvtest.Crashes", Points: 10},
	{Lab: 5, Service: "kvtest.SnapshotSize", Points: 10},
	{Lab: 5, Service: "kvtest.SnapshotRestart", Points: 5},
	{Lab: 5, Service: "kvtest.SnapshotDuplicates", Points: 10},
	{Lab: 5, Service: "kvtest.CrashesUnreliable", Points: 10},
	{Lab: 5, Service: "kvtest.Speed", Points: 10},
	{Lab: 5, Service: "kvtest.Kill", Points: 5},
})

// graded returns tests less those worth 0 points: the dropped ones.
func graded(tests []Test) []Test {
	var kept []Test
	for _, t := range tests {
		if t.Points != 0 {
			kept = append(kept, t)
		}
	}
	return kept
}

// CheckPoints returns an error that names each lab whose own tests' points
// in Suite do not sum to the lab's stated Points, or nil.
func CheckPoints() error {
	var problems []string
	for _, lab := range Labs {
		sum := 0
		for _, t := range Suite {
			if t.Lab == lab.Number {
				sum += t.Points
			}
		}
		if sum != lab.Points {
			problems = append(problems, fmt.Sprintf("lab%d's tests are worth %d points in all, but the lab is "+
				"out of %d: change the tests' points in labtest/suite.go (or the lab's Points in labtest/labs.go) "+
				"so that they agree, then run go run ./cmd/labgen", lab.Number, sum, lab.Points))
		}
	}
	if problems == nil {
		return nil
	}
	return errors.New(strings.Join(problems, "\n"))
}

// TestsUpTo returns the tests a lab's folder runs: its own and every
// earlier lab's, except those an earlier lab keeps to itself (OwnLabOnly).
func TestsUpTo(lab int) []Test {
	var ts []Test
	for _, t := range Suite {
		if t.Lab == lab || t.Lab < lab && !t.OwnLabOnly {
			ts = append(ts, t)
		}
	}
	return ts
}
