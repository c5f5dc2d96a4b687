package testproc

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestChildProcess is the child of the tests below: what it does is named
// by RAFTLABS_CHILD_ACT. It is not a harness test and reports nothing.
func TestChildProcess(t *testing.T) {
	switch os.Getenv("RAFTLABS_CHILD_ACT") {
	case "":
		t.Skip("run by the process tests in a child process")
	case "forge":
		// What a cheat would print: the summary line, then exit 0.
		fmt.Println("  passed  1.00s virtual  0.01s real  3 peers  10 RPCs  100 bytes  1 commands")
		os.Exit(0)
	case "hog-memory":
		var hoard [][]byte
		for range 64 { // 4 GiB, touched
			chunk := make([]byte, 64<<20)
			for i := 0; i < len(chunk); i += 4096 {
				chunk[i] = 1
			}
			hoard = append(hoard, chunk)
		}
		fmt.Println(len(hoard))
	case "spin":
		for start := time.Now(); time.Since(start) < time.Minute; {
		}
	case "big-file":
		err := os.WriteFile(filepath.Join(t.TempDir(), "big"), make([]byte, 2<<20), 0o644)
		fmt.Println("writing 2 MiB:", err)
	case "spawn":
		sleeper := exec.Command("sleep", "300")
		require.NoError(t, sleeper.Start())
		pidFile := os.Getenv("RAFTLABS_CHILD_PIDFILE")
		require.NoError(t, os.WriteFile(pidFile, []byte(strconv.Itoa(sleeper.Process.Pid)), 0o644))
	}
}

func runChildAct(t *testing.T, act string, isolate bool, env ...string) Result {
	res, _ := Run(context.Background(), Process{
		Binary:  os.Args[0],
		Test:    "TestChildProcess",
		Env:     append([]string{"RAFTLABS_CHILD_ACT=" + act}, env...),
		Timeout: time.Minute,
		Isolate: isolate,
	})
	return res
}

func runChildWithLimits(t *testing.T, act string, limits Limits) (Result, string) {
	return Run(context.Background(), Process{
		Binary:  os.Args[0],
		Test:    "TestChildProcess",
		Env:     []string{"RAFTLABS_CHILD_ACT=" + act},
		Timeout: time.Minute,
		Limits:  limits,
	})
}

func TestTheGradersLimitsEndAProcessWithTheirName(t *testing.T) {
	if runtime.GOOS != "linux" && runtime.GOOS != "darwin" {
		t.Skip("limits are set on Linux and macOS")
	}
	t.Run("memory", func(t *testing.T) {
		if RaceEnabled {
			t.Skip("a -race binary has no memory limit")
		}
		if runtime.GOOS == "darwin" {
			t.Skip("macOS does not enforce RLIMIT_AS")
		}
		res, out := runChildWithLimits(t, "hog-memory", Limits{Memory: 1 << 30})
		assert.False(t, res.Passed)
		assert.Equal(t, "the test process ran out of memory: it exceeded the grader's 1 GiB memory limit "+
			"(a log or a buffer that grows without end?)", res.Verdict, out)
	})
	t.Run("CPU", func(t *testing.T) {
		start := time.Now()
		res, out := runChildWithLimits(t, "spin", Limits{CPU: time.Second})
		assert.False(t, res.Passed)
		assert.Equal(t, "the test process was killed after 1s of CPU time (the grader's limit): "+
			"a loop that never waits, or far more work than the test needs", res.Verdict, out)
		assert.Less(t, time.Since(start), 30*time.Second)
	})
	t.Run("file size", func(t *testing.T) {
		_, out := runChildWithLimits(t, "big-file", Limits{FileSize: 1 << 20})
		assert.Contains(t, out, "writing 2 MiB: write ")
		assert.Contains(t, out, "file too large")
	})
}

func TestLimitsTravelInTheEnvironment(t *testing.T) {
	l := Limits{Memory: 2 << 30, CPU: 90 * time.Second, FileSize: 64 << 20}
	assert.Equal(t, "memory=2147483648,cpu=90,filesize=67108864", l.encode())
	assert.Equal(t, l, decodeLimits(l.encode()))
	assert.Equal(t, Limits{CPU: time.Second}, decodeLimits("cpu=1,memory=lots,disk=5"))
	assert.Empty(t, Limits{}.envEntries())
	assert.Equal(t, "2 GiB", Size(2<<30))
	assert.Equal(t, "64 MiB", Size(64<<20))
	assert.Equal(t, "1500 B", Size(1500))
}

func TestAPrintedSummaryIsNotAPass(t *testing.T) {
	res := runChildAct(t, "forge", false)
	assert.False(t, res.Passed)
	assert.Contains(t, res.Verdict, "the test process ended before the test finished")
	assert.Contains(t, res.Verdict, "exited with status 0")
}

func TestIsolatedProcessLeavesNothingBehind(t *testing.T) {
	if _, err := exec.LookPath("sleep"); err != nil {
		t.Skip("no sleep command here")
	}
	pidFile := filepath.Join(t.TempDir(), "pid")
	res := runChildAct(t, "spawn", true, "RAFTLABS_CHILD_PIDFILE="+pidFile)
	assert.False(t, res.Passed, "the child never reported")
	data, err := os.ReadFile(pidFile)
	require.NoError(t, err)
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	require.NoError(t, err)

	// The grandchild was killed with its group; once reaped by init it is
	// gone. Signal 0 tests whether it still exists.
	assert.Eventually(t, func() bool {
		return syscall.Kill(pid, 0) != nil || isZombie(pid)
	}, 5*time.Second, 50*time.Millisecond, "a process the test started (pid %d) outlived it", pid)
}

// isZombie reports whether pid has exited but not been reaped (Linux only;
// elsewhere it says no).
func isZombie(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	fields := strings.Fields(string(stat))
	return len(fields) > 2 && fields[2] == "Z"
}

func TestReportNeedsTheToken(t *testing.T) {
	line := `{"token":"abc","result":{"test":"TestX","passed":true}}`
	res, err := parseReport([]byte(line+"\n"), "abc")
	require.NoError(t, err)
	assert.True(t, res.Passed)

	_, err = parseReport([]byte(line), "def")
	assert.ErrorContains(t, err, "without the harness's token")
	_, err = parseReport([]byte(line+"\n"+line), "abc")
	assert.ErrorContains(t, err, "more than one report")
	_, err = parseReport(nil, "abc")
	assert.ErrorIs(t, err, errNoReport)
}

func TestQuoteName(t *testing.T) {
	assert.Equal(t, "^TestX$", QuoteName("TestX"))
	assert.Equal(t, `^TestX$/^case_1\.a$`, QuoteName("TestX/case_1.a"))
}

func TestAProcessThatCannotStartSaysSo(t *testing.T) {
	res, _ := Run(context.Background(), Process{
		Binary: filepath.Join(t.TempDir(), "no-such-binary"), Test: "TestInitialElectionLab1",
	})
	assert.False(t, res.Passed)
	assert.True(t, res.NotStarted, "a missing binary is the machine's fault, not the code's")
	assert.Contains(t, res.Verdict, "could not start the test process")
}
