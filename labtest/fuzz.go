package labtest

import (
	"fmt"
	"testing"

	"raftlabs/labrpc"
	"raftlabs/labtest/internal/runner"
	"raftlabs/labtest/internal/schedule"
	"raftlabs/labtest/internal/testproc"
	"raftlabs/raftapi"
)

// Fuzzing the fault schedule. A fuzz target runs a scenario with the
// fuzzer's input as its fault schedule: every random choice the network and
// the harness make (which call is dropped, each delay, which server crashes
// or is cut off, and when) takes the input's next byte, so the fuzzer's
// coverage guidance steers toward schedules that make the student's code do
// something new. When the input runs out, the choices go on from a
// generator seeded with the input's hash. The student's math/rand is
// seeded from that hash too, and the run is in replay mode, so a failing
// input that go test saves under testdata/fuzz replays its fault schedule:
//
//	go test -fuzz '^FuzzFigure8Lab2$' -fuzztime 10m
//	go test -run '^FuzzFigure8Lab2$/^582528ddfad69eb5$'   (go test prints the name)

// FuzzTargets are the scenarios each lab folder has a fuzz target for, one
// per family of faults: elections with servers cut off and an unreliable
// network, agreement with long reordering, crashes with an unreliable
// network, snapshots with crashes. A folder has the targets of its lab and
// the labs before it, as it has their tests.
var FuzzTargets = []Test{
	{Lab: 1, Scenario: ManyElections},
	{Lab: 1, Scenario: UnreliableElection},
	{Lab: 2, Scenario: Figure8},
	{Lab: 2, Scenario: ReorderedReplies},
	{Lab: 3, Scenario: Figure8Unreliable},
	{Lab: 3, Scenario: ChurnUnreliable},
	{Lab: 4, Scenario: SnapshotInstallUnreliableCrash},
}

// FuzzName returns the fuzz target's name, e.g. "FuzzFigure8Lab2".
func (t Test) FuzzName() string {
	return fmt.Sprintf("Fuzz%sLab%d", t.ScenarioName(), t.Lab)
}

// Fuzz runs scenario as the fuzz target f, against the student's Make, with
// the fuzzer's input as the fault schedule. Under go test -fuzz each input
// runs in the fuzzer's worker process, where the fuzzer sees its coverage;
// under a plain go test, each saved input (testdata/fuzz/<target>/*) runs
// in a child process of its own, as a test does.
func Fuzz[R raftapi.Raft](f *testing.F, scenario Scenario,
	makeRaft func(peers []*labrpc.ClientEnd, me int, persister *raftapi.Persister, applyCh chan raftapi.ApplyMsg) R) {
	f.Helper()
	newRaft := func(peers []*labrpc.ClientEnd, me int, p *raftapi.Persister, ch chan raftapi.ApplyMsg) raftapi.Raft {
		return makeRaft(peers, me, p, ch)
	}
	f.Fuzz(func(t *testing.T, input []byte) {
		s := runner.Current()
		s.Schedule = schedule.New(input)
		s.Seed = s.Schedule.Seed()
		s.Replay = true
		switch {
		case testproc.Reporter != nil:
			runner.ReportAndExit(t, runner.Here(t, s, body(scenario, newRaft)))
		case s.InProcess || runner.IsFuzzWorker():
			res := runner.Here(t, s, body(scenario, newRaft))
			if !res.Passed {
				t.Fatalf("%s", res.Verdict)
			}
		default:
			res := runner.Child(t, s)
			res.Rerun = runner.FuzzRerun(t.Name())
			runner.PrintVerdict(&res)
			if !res.Passed {
				t.Fail()
			}
		}
	})
}
