package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"raftlabs/labtest/testrun"
)

// The replay measurement: for each known-buggy variant that a test catches
// only sometimes, a sweep finds failing seeds, and each is rerun as its
// rerun command would, to count the reruns that fail the same way. It
// writes the table docs/debugging.md quotes. It takes many minutes, so it
// runs only when asked:
//
//	RAFTLABS_REPLAY_RATE=1 go test ./cmd/variants -run TestReplayRate -v -timeout 60m
//
// RAFTLABS_REPLAY_RATE=variant:Test,... measures only those pairs.

// replayPairs are the variants whose suites catch them in fewer than all
// runs, each with the test that catches it only sometimes (docs/variants.md).
var replayPairs = []string{
	"refused-append-storm:TestManyElectionsLab1",
	"fixed-election-timeout:TestManyElectionsLab1",
	"term-goes-back:TestManyElectionsLab1",
	"heartbeat-keeps-timer:TestReElectionLab1",
	"heartbeat-once:TestStepDownLab1",
	"vote-without-uptodate-check:TestFigure8Lab2",
}

// replayMeasure is one pair's numbers.
type replayMeasure struct {
	pair       string
	runs, fail int   // the sweep's runs and failures
	firstSeed  int64 // the first seed that failed, 0 if none
	reruns     []string
}

func TestReplayRate(t *testing.T) {
	want := os.Getenv("RAFTLABS_REPLAY_RATE")
	if want == "" {
		t.Skip("set RAFTLABS_REPLAY_RATE=1 (or variant:Test,...) to measure how often a failing seed replays")
	}
	pairs := replayPairs
	if want != "1" {
		pairs = strings.Split(want, ",")
	}
	seeds := envInt("RAFTLABS_REPLAY_SEEDS", 200)   // the sweep's size
	failing := envInt("RAFTLABS_REPLAY_FAILING", 3) // failing seeds to rerun
	reruns := envInt("RAFTLABS_REPLAY_RERUNS", 10)  // reruns of each
	root, all := courseVariants(t)

	var rows []replayMeasure
	for _, pair := range pairs {
		name, test, _ := strings.Cut(pair, ":")
		vs, err := selectVariants(all, []string{name})
		require.NoError(t, err)
		o := prepare(vs[0], root)
		require.NoError(t, o.err)
		bin, err := buildVariant(o, t.TempDir(), runOptions{root: root})
		require.NoError(t, err)
		labDir := filepath.Join(root, o.lab.Dir)

		sweep := testrun.Sweep{Binary: bin, Dir: labDir, Tests: []string{test}, FirstSeed: 1,
			Seeds: seeds, Jobs: 2, MaxFailures: failing, TraceDir: t.TempDir()}
		rep := sweep.Run(context.Background())
		m := replayMeasure{pair: pair, runs: rep.Runs, fail: len(rep.Failures)}
		for _, f := range rep.Failures {
			if m.firstSeed == 0 || f.Seed < m.firstSeed {
				m.firstSeed = f.Seed
			}
			same := 0
			for range reruns {
				res, _ := testrun.Run(context.Background(), testrun.Process{
					Binary: bin, Dir: labDir, Test: test, Args: []string{"-seed", strconv.FormatInt(f.Seed, 10)},
					Timeout: 2 * time.Minute, Isolate: true,
				})
				if testrun.FailureKind(test, res) == f.Kind {
					same++
				}
			}
			m.reruns = append(m.reruns, fmt.Sprintf("%d/%d", same, reruns))
		}
		t.Logf("%s: %d of %d seeds failed; reruns failing the same way: %s", pair, m.fail, m.runs, strings.Join(m.reruns, " "))
		rows = append(rows, m)
	}

	var b strings.Builder
	fmt.Fprintf(&b, "%-28s %-24s %12s %11s  %s\n", "VARIANT", "TEST", "SWEEP FAILED", "FIRST SEED", "SAME FAILURE ON RERUN")
	for _, m := range rows {
		name, test, _ := strings.Cut(m.pair, ":")
		fmt.Fprintf(&b, "%-28s %-24s %12s %11d  %s\n", name, test, fmt.Sprintf("%d/%d", m.fail, m.runs),
			m.firstSeed, strings.Join(m.reruns, " "))
	}
	t.Logf("\n%s", b.String())
}

func envInt(key string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(key)); err == nil && v > 0 {
		return v
	}
	return def
}
