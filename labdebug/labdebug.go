package labdebug

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"raftlabs/labtrace"
)

// A Topic says what a line is about. Lines are filtered by topic.
type Topic string

// The usual topics. Any other Topic value works as well.
const (
	Timer   Topic = "TIMER"   // election timeouts, tickers
	Vote    Topic = "VOTE"    // RequestVote sent, granted, refused
	Leader  Topic = "LEADER"  // becoming leader, stepping down
	Term    Topic = "TERM"    // a new term learned
	Append  Topic = "APPEND"  // AppendEntries sent, accepted, refused
	Commit  Topic = "COMMIT"  // commitIndex advanced
	Apply   Topic = "APPLY"   // entries sent on applyCh
	Persist Topic = "PERSIST" // state saved and restored
	Snap    Topic = "SNAP"    // snapshots, InstallSnapshot
	Info    Topic = "INFO"    // anything else
)

// Printf prints one line for server when topic is on, and records it in
// the test's trace: the time on the test's clock, the server, the topic
// and the formatted text. It does nothing, cheaply, when topic is off.
func Printf(server int, topic Topic, format string, args ...any) {
	on := current()
	if !on.show(topic) {
		return
	}
	text := fmt.Sprintf(format, args...)
	at := since()
	if rec := recorder.Load(); rec != nil {
		rec.Add(labtrace.Record{
			Kind:   labtrace.Log,
			T:      max(labtrace.Micros(at), 1), // 0 would mean "now" to Add
			Server: labtrace.ServerName(server),
			Topic:  string(topic),
			Text:   text,
		})
	}
	if !on.quiet {
		fmt.Fprintf(output, "%10.6fs s%-2d %-7s %s\n", at.Seconds(), server, topic, strings.TrimRight(text, "\n"))
	}
}

// Enabled reports whether lines of topic are printed or recorded: a guard
// for a line whose arguments are costly to compute.
func Enabled(topic Topic) bool { return current().show(topic) }

// Enable sets the topics that are on, as the -debug flag and the
// RAFTLABS_DEBUG variable give them: "" or "off" (none), "all", a list
// such as "vote,leader", and any of these after "quiet:" to record lines
// in the trace without printing them. The harness calls it; code under
// test need not.
func Enable(spec string) {
	s := parse(spec)
	topics.Store(&s)
}

// SetRecorder makes Printf record its lines in rec and take its times from
// rec's clock; nil stops recording. The harness calls it at the start of
// each test.
func SetRecorder(rec *labtrace.Recorder) {
	recorder.Store(rec)
}

var (
	output   io.Writer = os.Stdout // where lines are printed; tests swap it
	recorder atomic.Pointer[labtrace.Recorder]
	topics   atomic.Pointer[selection]
	fromEnv  = sync.OnceValue(func() *selection {
		s := parse(os.Getenv("RAFTLABS_DEBUG"))
		return &s
	})
	firstLine = sync.OnceValue(time.Now) // the clock's start when no test runs
)

// current returns the topics that are on.
func current() *selection {
	if s := topics.Load(); s != nil {
		return s
	}
	return fromEnv()
}

// since returns the time on the test's clock.
func since() time.Duration {
	if rec := recorder.Load(); rec != nil {
		return rec.Since()
	}
	return time.Since(firstLine())
}

// selection is the topics that are on.
type selection struct {
	all    bool
	quiet  bool
	topics map[Topic]bool
}

func (s *selection) show(t Topic) bool {
	if s.all || s.topics == nil {
		return s.all
	}
	return s.topics[Topic(strings.ToUpper(string(t)))]
}

func parse(spec string) selection {
	var s selection
	spec = strings.TrimSpace(spec)
	if rest, ok := strings.CutPrefix(spec, "quiet:"); ok {
		s.quiet = true
		spec = rest
	}
	switch strings.ToLower(spec) {
	case "", "0", "off", "false", "none":
		return s
	case "1", "all", "on", "true":
		s.all = true
		return s
	}
	s.topics = map[Topic]bool{}
	for _, t := range strings.Split(spec, ",") {
		if t = strings.TrimSpace(t); t != "" {
			s.topics[Topic(strings.ToUpper(t))] = true
		}
	}
	return s
}
