package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"raftlabs/grading"
	"raftlabs/labtest"
)

// The verdicts of the tests in which the harness plays a server to check
// one rule of Figure 2 or 13 (labtest's lab*_rules.go), pinned: each
// test, run on the variant that breaks its rule, fails in its first run,
// and its verdict names the rule and the values seen.
var ruleVerdicts = []struct {
	variant string
	test    labtest.Test
	want    string // a regular expression the verdict matches
}{
	{"refused-append-storm", labtest.Test{Lab: 1, Scenario: labtest.CandidateYields},
		`lab1_rules\.go:\d+: s\d, a candidate in term (\d+), was sent an AppendEntries of term \d+ from s\d, the leader of that ` +
			`term, every 50ms, yet stood for election again in term \d+, \d+\.\d\ds later: a candidate that hears from the ` +
			`leader of its own term must become its follower \(Figure 2, Candidates: "If AppendEntries RPC received ` +
			`from new leader: convert to follower"\)`},
	{"commit-bound-by-own-log", labtest.Test{Lab: 2, Scenario: labtest.CommitWithinBatch},
		`lab2_rules\.go:\d+: s\d applied index 5, an entry of term \d+ that no AppendEntries had vouched for: the last ` +
			`AppendEntries it received \(term \d+\) carried prevLogIndex 3 and 1 entry, with leaderCommit 5, so the last ` +
			`new entry was index 4\. A follower commits no further than that \(Figure 2, AppendEntries receiver rule 5: ` +
			`"set commitIndex = min\(leaderCommit, index of last new entry\)"\)`},
	{"follower-commit-unbounded", labtest.Test{Lab: 2, Scenario: labtest.CommitWithinBatch},
		`s\d applied index 5, an entry of term \d+ that no AppendEntries had vouched for: .*AppendEntries receiver rule 5`},
	{"stale-append-reply", labtest.Test{Lab: 2, Scenario: labtest.StaleAppendReply},
		`lab2_rules\.go:\d+: s\d, leader of term (\d+) with 3 entries, sent s\d an AppendEntries with prevLogIndex [0-2], ` +
			`though s\d had refused no AppendEntries of term \d+: it acted on s\d's refusal of an AppendEntries it had ` +
			`sent in term \d+, which arrived late and was refused as stale, in a reply of term \d+\. A reply counts only ` +
			`for the term its request was sent in`},
	{"install-drops-following-entries", labtest.Test{Lab: 4, Scenario: labtest.InstallKeepsFollowing},
		`lab4_rules\.go:\d+: s\d refused an AppendEntries of term (\d+) with prevLogIndex 16 and prevLogTerm \d+, an entry ` +
			`it held before the test, as leader of term \d+, sent it an InstallSnapshot through index 15 \(term \d+\), ` +
			`which matched its own entry there: it discarded the entries after the snapshot's last included entry\. ` +
			`Figure 13, InstallSnapshot receiver rule 6: "If existing log entry has same index and term as snapshot's ` +
			`last included entry, retain log entries following it and reply"`},
	{"install-stale-term", labtest.Test{Lab: 4, Scenario: labtest.InstallKeepsFollowing},
		`lab4_rules\.go:\d+: s\d, in term (\d+), installed a snapshot through index 16 sent by s\d in term \d+, and applied it: ` +
			`Figure 13, InstallSnapshot receiver rule 1: "Reply immediately if term < currentTerm"`},
	// No leader, and the history says why: every vote refused by servers
	// that cast none in the term.
	{"votedfor-not-reset", labtest.Test{Lab: 1, Scenario: labtest.ReElection},
		`(?s)lab1\.go:\d+: no leader: 5s passed and no connected server believes it is the leader.*leadership history.*` +
			`hint: s\d refused its vote in terms .* without voting for anyone in them .*votedFor was not reset when the term changed`},
	// No leader, and the history says why: a candidate granted a
	// majority with its own vote did not lead.
	{"candidate-no-self-vote", labtest.Test{Lab: 1, Scenario: labtest.ReElection},
		`(?s)lab1\.go:\d+: no leader: .*hint: s\d was granted votes in terms .*, a majority of the 3 servers with its own, ` +
			`yet did not become leader: a candidate votes for itself and counts that vote \(Figure 2, Candidates: "vote for self"\)`},
	// Two leaders of a term, and the history says why: one took the term
	// without standing in it.
	{"leader-ignores-higher-term", labtest.Test{Lab: 1, Scenario: labtest.ReElection},
		`(?s)lab1\.go:\d+: election safety: term \d+ has 2 leaders .*hint: s\d led term \d+ without standing for election ` +
			`in it \(it sent no RequestVote of term \d+\), having led term \d+: .*A leader that sees a later term steps down`},
	// The term moves on, and the history says why: the leaders sent one
	// round of AppendEntries a term.
	{"heartbeat-once", labtest.Test{Lab: 1, Scenario: labtest.InitialElection},
		`(?s)hint: s\d led terms .* in all, until others were elected, but sent no server more than \d+ AppendEntries in ` +
			`the whole test: a leader sends heartbeats during idle periods`},
	// No leader, and the history says why: a candidate stayed in its
	// failed election's term.
	{"candidate-no-rerun", labtest.Test{Lab: 1, Scenario: labtest.ReElection},
		`(?s)no leader: .*hint: s\d stood for election in term \d+ at \d+\.\d\ds and was still in that term, with no leader, ` +
			`at \d+\.\d\ds \(its GetState\): a candidate whose election fails starts a new one`},
	// Start's answer, checked against GetState.
	{"start-on-follower", labtest.Test{Lab: 2, Scenario: labtest.BasicAgree},
		`lab2\.go:\d+: Start\(100\) on s\d answered isLeader true for term \d+, but s\d's GetState says it is not the ` +
			`leader of term \d+: only the leader appends a command to its log`},
	// A command lost in a crash, and how: the server vouched for it before
	// it was saved.
	{"append-not-persisted", labtest.Test{Lab: 3, Scenario: labtest.PersistBasic},
		`(?s)lab3\.go:\d+: persistent state: s\d crashed at .*\n\s+how it happened: s\d answered success to the ` +
			`AppendEntries of term \d+ from s\d that carried 11 at index 1, and its Persister did not hold that entry ` +
			`when the reply reached s\d at \d+\.\d\ds: a follower saves the entries it appends before it replies`},
	{"start-not-persisted", labtest.Test{Lab: 3, Scenario: labtest.PersistBasic},
		`(?s)lab3\.go:\d+: persistent state: s\d crashed at .*\n\s+how it happened: s\d's Start put 11 at index 1 as the ` +
			`leader of term \d+ at \d+\.\d\ds, and its Persister did not hold that entry when Start returned: a leader ` +
			`saves the entry Start appends before it sends it or counts it toward a commit`},
	// Two votes in one term, and how: the voter's term went back.
	{"term-goes-back", labtest.Test{Lab: 1, Scenario: labtest.StaleCandidate},
		`lab1\.go:\d+: one vote per term: s\d granted its vote in term \d+ to s\d at .*\n\s+how it happened: s\d .* its ` +
			`currentTerm went back from \d+ to \d+ without a crash.* \(RequestVote receiver rule 1: "Reply false if term < currentTerm"\)`},
	// An entry applied past a snapshot never handed to the service.
	{"install-not-applied", labtest.Test{Lab: 4, Scenario: labtest.SnapshotInstall},
		`lab4\.go:\d+: s\d applied index (\d+) right after index \d+: entries must be applied in index order, none skipped\n` +
			`\s+how it happened: s\d answered an InstallSnapshot through index (\d+) from s\d \(term \d+\) at \d+\.\d\ds, but ` +
			`sent its service no snapshot through index \d+ on applyCh: .*InstallSnapshot receiver rule 8`},
	// A command applied at an index it never reached: the log kept past a
	// snapshot moved.
	{"install-keeps-log", labtest.Test{Lab: 4, Scenario: labtest.SnapshotInstall},
		`lab4\.go:\d+: log replication: s\d applied \d+ at index (\d+), but it never received that command at that index.*\n` +
			`\s+how it happened: s\d was sent that command at index \d+, and answered an InstallSnapshot through index \d+ ` +
			`from s\d \(term \d+\) at \d+\.\d\ds: .*\(Figure 13, InstallSnapshot receiver rule 7: "Discard the entire log"\)`},
	// A command not applied in time, and how: what its leader sent each
	// follower that lacks it, and what came back.
	{"send-skips-an-entry", labtest.Test{Lab: 2, Scenario: labtest.BasicAgree},
		`lab2\.go:\d+: agreement: 100 was accepted at index 1 but, 2s later, 0 servers \[\] had applied it .*\n` +
			`\s+how it happened: s\d accepted the last 3 AppendEntries s\d sent it in term \d+, none carrying index 1, ` +
			`though s\d's Start had put 100 there at \d+\.\d\ds: .*send AppendEntries RPC with log entries starting at nextIndex`},
	{"matchindex-starts-at-last", labtest.Test{Lab: 2, Scenario: labtest.RejoinFollower},
		`lab2\.go:\d+: agreement: \d+ was not applied by 3 servers within 10s .*\n` +
			`\s+how it happened: s\d refused the last 3 AppendEntries s\d sent it in term \d+, each with prevLogIndex \d+: ` +
			`.*decrement nextIndex and retry.*matchIndex\[\] "initialized to 0"`},
	{"nextindex-not-past-snapshot", labtest.Test{Lab: 4, Scenario: labtest.SnapshotInstall},
		`lab4\.go:\d+: agreement: \d+ was not applied by 3 servers within 10s .*\n` +
			`\s+how it happened: s\d sent s\d the same InstallSnapshot through index \d+ 3 times in a row in term \d+, ` +
			`each after the one before was answered, and no AppendEntries between: .*If successful: update nextIndex ` +
			`and matchIndex for follower`},
	{"snapshot-never-sent", labtest.Test{Lab: 4, Scenario: labtest.SnapshotInstall},
		`lab4\.go:\d+: agreement: \d+ was not applied by 3 servers within 10s .*\n` +
			`\s+how it happened: s\d refused the last 3 AppendEntries s\d sent it in term \d+, each with prevLogIndex (\d+), ` +
			`and no InstallSnapshot between, though s\d's service had called Snapshot\(\d+\) on it at \d+\.\d\ds: .*` +
			`the leader must occasionally send snapshots to followers that lag behind`},
	// A late AppendEntries that matches, and the follower's next refusal.
	{"truncate-on-match", labtest.Test{Lab: 2, Scenario: labtest.LateAppendEntries},
		`lab2_reordering\.go:\d+: s\d refused an AppendEntries of term \d+ with prevLogIndex 10 and prevLogTerm \d+, an ` +
			`entry it had acknowledged and applied, right after it accepted a late AppendEntries of that term with ` +
			`prevLogIndex 1 and the entry it already held at index 2: it deleted the entries after index 2, though none ` +
			`conflicted\. Figure 2, AppendEntries receiver rule 3`},
	// Two commands at one index, and how: a vote for a candidate less up
	// to date than its voter.
	{"vote-without-uptodate-check", labtest.Test{Lab: 2, Scenario: labtest.RejoinFollower},
		`lab2\.go:\d+: state machine safety: index \d+ was applied as \d+ on s\d but as \d+ on s\d\n` +
			`\s+how it happened: s\d granted its vote in term \d+ to s\d, whose RequestVote \(sent at \d+\.\d\ds\) had ` +
			`lastLogIndex \d+ and lastLogTerm \d+, though s\d had applied index \d+ \(\d+, an entry of term \d+\) at ` +
			`\d+\.\d\ds: its log was more up to date than the candidate's\. A voter refuses such a candidate \(RequestVote ` +
			`receiver rule 2`},
	// Two commands at one index, and how: the follower's receiver rules.
	{"conflict-by-length", labtest.Test{Lab: 2, Scenario: labtest.RejoinStaleLeader},
		`lab2\.go:\d+: state machine safety: index 2 was applied as \d+ on s\d but as \d+ on s\d\n` +
			`\s+how it happened: s\d accepted an AppendEntries of term \d+ from s\d, sent at \d+\.\d\ds, that carried 103 at ` +
			`index 2, an entry of term \d+, yet applied 102 there after it, an entry of term 1: it kept its own entry ` +
			`against a conflicting one\. Figure 2, AppendEntries receiver rule 3`},
	{"prevlogterm-unchecked", labtest.Test{Lab: 2, Scenario: labtest.RejoinStaleLeader},
		`lab2\.go:\d+: state machine safety: index 2 was applied as \d+ on s\d but as \d+ on s\d\n` +
			`\s+how it happened: s\d accepted an AppendEntries of term \d+ from s\d, sent at \d+\.\d\ds, with prevLogIndex 2 ` +
			`and prevLogTerm \d+, yet applied 102 there after it, an entry of term 1: its entry at prevLogIndex did not ` +
			`have the term prevLogTerm\. Figure 2, AppendEntries receiver rule 2`},
}

// plainVerdicts are the variants whose verdict is not judged on who led
// when, and so shows no leadership history.
var plainVerdicts = map[string]bool{"start-on-follower": true, "term-goes-back": true, "install-not-applied": true,
	"install-keeps-log": true, "send-skips-an-entry": true, "matchindex-starts-at-last": true,
	"nextindex-not-past-snapshot": true, "snapshot-never-sent": true, "truncate-on-match": true,
	"vote-without-uptodate-check": true, "conflict-by-length": true, "prevlogterm-unchecked": true}

func TestRuleVerdicts(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a lab with each variant and runs one test on it")
	}
	for _, rv := range ruleVerdicts {
		t.Run(rv.variant, func(t *testing.T) {
			root, vs := courseVariants(t, rv.variant)
			files, err := vs[0].Apply(os.DirFS(root))
			require.NoError(t, err)
			lab := labtest.Labs[rv.test.Lab-1]
			bin, err := grading.Build(root, lab, grading.Source{Reference: true, Replace: files},
				grading.BuildOptions{Dir: t.TempDir()})
			require.NoError(t, err)
			res := grading.RunTest(bin, filepath.Join(root, lab.Dir), rv.test, grading.RunOptions{Seed: 1})
			require.False(t, res.Passed, "%s must fail %s in its first run", rv.variant, rv.test.Name())
			assert.Regexp(t, rv.want, res.Verdict)
			if !plainVerdicts[rv.variant] {
				assert.Contains(t, res.Verdict, "leadership history")
			}
		})
	}
}
