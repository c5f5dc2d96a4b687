package testproc

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"
)

// A Result is the harness's own account of one run of one test: whether it
// passed and, if not, why, with the numbers of its summary line. It is the
// only record the grader believes. The harness writes it once, at the end of
// the test, to a pipe the process that started the test opened for it; what
// the test process prints is shown to people but never parsed for a grade.
type Result struct {
	Test     string        `json:"test"`     // the test function's name, e.g. "TestReElectionLab1"
	Passed   bool          `json:"passed"`   // every check held and nothing went wrong in the background
	Verdict  string        `json:"verdict"`  // why it failed, in Raft terms; "" if it passed
	Failure  *Failure      `json:"failure"`  // the first failure, part by part; nil if it passed
	Warnings []string      `json:"warnings"` // problems that cost no points here, such as goroutines left after Kill
	Seed     int64         `json:"seed"`     // replays the network's and the harness's choices
	Realtime bool          `json:"realtime"` // the test ran on the real clock
	Virtual  time.Duration `json:"virtual"`  // the scenario's duration on the test's clock
	Real     time.Duration `json:"real"`     // real time from the test's start to its end
	Peers    int           `json:"peers"`
	RPCs     int           `json:"rpcs"`
	Bytes    int64         `json:"bytes"`
	Commands int           `json:"commands"` // the highest index any server applied
	Rerun    string        `json:"rerun"`    // the command that reruns this test with its seed

	// NotStarted says the test's process could not be started (Run
	// sets it; a report never carries it): the Verdict is about the
	// machine, not the code under test.
	NotStarted bool `json:"-"`
}

// Summary is the line a test prints at its end, for people to read.
func (r *Result) Summary() string {
	result := "passed"
	if !r.Passed {
		result = "FAILED"
	}
	clock := fmt.Sprintf("%.2fs virtual  %.2fs real", r.Virtual.Seconds(), r.Real.Seconds())
	if r.Realtime {
		clock = fmt.Sprintf("%.2fs real", r.Real.Seconds())
	}
	return fmt.Sprintf("  %s  %s  %d peers  %d RPCs  %d bytes  %d commands",
		result, clock, r.Peers, r.RPCs, r.Bytes, r.Commands)
}

// The report channel. A process that runs a test for someone else (the
// grader, or a plain go test that runs each test in a child process) opens
// a pipe, passes its write end to the child as file descriptor reportFD,
// and puts a fresh random token in the child's environment. The harness
// takes both when its package is initialized, which is before any code of
// the lab folder runs, and removes the token from the environment. A
// report is one JSON line: the token, then the Result. Code under test
// cannot write a report the parent believes: it cannot name the pipe
// (submissions may not import os beyond a few read-only names, nor syscall)
// and it never sees the token.
const (
	reportFD    = 3 // the first of exec.Cmd.ExtraFiles
	reportEnv   = "RAFTLABS_REPORT"
	reportLimit = 4 << 20 // a report is a few kilobytes; leak stacks are capped well below this
)

// Reporter is where this process sends its result, or nil when the test
// runs for a person (in-process mode) and not for a parent process.
var Reporter = openReporter()

type ReportWriter struct {
	mu    sync.Mutex
	file  *os.File
	token string
	sent  bool
}

func openReporter() *ReportWriter {
	token := os.Getenv(reportEnv)
	if token == "" {
		return nil
	}
	os.Unsetenv(reportEnv)
	keepFromChildren(reportFD)
	return &ReportWriter{file: os.NewFile(reportFD, "report"), token: token}
}

// Send writes res as this process's one report.
func (w *ReportWriter) Send(res *Result) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.sent {
		return errors.New("a second test tried to report from the same process: run one test per process")
	}
	w.sent = true
	line, err := json.Marshal(struct {
		Token  string  `json:"token"`
		Result *Result `json:"result"`
	}{w.token, res})
	if err != nil {
		return err
	}
	_, err = w.file.Write(append(line, '\n'))
	return errors.Join(err, w.file.Close())
}

// newToken returns a fresh random token for one child process.
func newToken() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on the systems the course supports
	}
	return hex.EncodeToString(b)
}

// parseReport reads the report a child sent: exactly one line, carrying the
// token the parent gave it.
func parseReport(data []byte, token string) (*Result, error) {
	text := strings.TrimSpace(string(data))
	if text == "" {
		return nil, errNoReport
	}
	if strings.Contains(text, "\n") {
		return nil, errors.New("the test process sent more than one report")
	}
	var msg struct {
		Token  string  `json:"token"`
		Result *Result `json:"result"`
	}
	if err := json.Unmarshal([]byte(text), &msg); err != nil || msg.Result == nil {
		return nil, fmt.Errorf("the test process sent a report that is not one (%d bytes)", len(data))
	}
	if msg.Token != token {
		return nil, errors.New("the test process sent a report without the harness's token: it did not come from the harness")
	}
	return msg.Result, nil
}

var errNoReport = errors.New("the test process ended before the test finished")

// QuoteName turns a test's name, as t.Name gives it, into a -test.run
// pattern that matches it alone, e.g. "^TestX$" or "^TestX$/^case_1$".
func QuoteName(name string) string {
	parts := strings.Split(name, "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	return strings.Join(parts, "/")
}

// A Cost is what one run of a test took: the RPCs the servers sent, the
// bytes of their requests, and the time on the test's clock.
type Cost struct {
	RPCs    int
	Bytes   int64
	Virtual time.Duration // 0 for a run on the real clock
}

// Cost returns what the run took.
func (r *Result) Cost() Cost {
	c := Cost{RPCs: r.RPCs, Bytes: r.Bytes, Virtual: r.Virtual}
	if r.Realtime {
		c.Virtual = 0
	}
	return c
}

func (c Cost) String() string {
	s := fmt.Sprintf("%d RPCs  %d bytes", c.RPCs, c.Bytes)
	if c.Virtual > 0 {
		s += fmt.Sprintf("  %.2fs on the test's clock", c.Virtual.Seconds())
	}
	return s
}
