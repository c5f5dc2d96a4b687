package labtrace

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// A Kind is what a Record tells of.
type Kind string

// The kinds of record, in the order a trace usually shows them.
const (
	// Test begins every trace: Test, Seed and Clock.
	Test Kind = "test"
	// Boot is the cluster's start: Servers.
	Boot Kind = "boot"
	// Start is an instance of Server starting (Instance 1 at boot, then
	// 2, 3, ... after each restart).
	Start Kind = "start"
	// Crash is Server crashing: it is cut off and killed.
	Crash Kind = "crash"
	// Network is a new shape of the network: Shape in words, and Groups,
	// the sets of servers that can talk to each other. A server in no
	// group is cut off or crashed.
	Network Kind = "network"
	// RPC is one call From a server To another: Method, the Term of its
	// arguments and reply, OK (vote granted, append succeeded), Bytes, and
	// Fate; T is when it was sent and Done when its fate was known.
	RPC Kind = "rpc"
	// State is Server seen in Role and Term, with the Source that showed
	// it: GetState, or an RPC it sent or answered. A state record is
	// written only when what is known of the server changes.
	State Kind = "state"
	// Command is the test handing Command to Server's Start, and what
	// Start answered: Index, Term, and OK if the server said it leads.
	Command Kind = "command"
	// Apply is Server applying Command at Index: a committed entry
	// reached its state machine.
	Apply Kind = "apply"
	// Snapshot is Server installing a snapshot up to Index through
	// applyCh.
	Snapshot Kind = "snapshot"
	// Log is a line Server's code printed with package labdebug: Topic and
	// Text.
	Log Kind = "log"
	// Fail is the check that failed the test: Where in the scenario, the
	// Property of Raft it names, if any, and Text, the evidence.
	Fail Kind = "fail"
	// End is the end of a test that did not fail.
	End Kind = "end"
)

// The fates of an RPC, as the network reports them.
const (
	Delivered      = "delivered"       // the handler ran and the reply arrived
	RequestDropped = "request dropped" // the unreliable network lost the request
	ReplyLost      = "reply lost"      // the handler ran, but its reply was lost
	Unreachable    = "unreachable"     // the sender or receiver was cut off, or the receiver missing
	ServerDead     = "server dead"     // the receiver crashed before the reply came back
	InFlight       = "in flight"       // no fate yet when the trace was written
)

// The roles a State record shows.
const (
	Follower  = "follower"
	Candidate = "candidate"
	Leader    = "leader"
)

// A Record is one line of a trace. Only the fields its Kind uses are set;
// the others are left out of the JSON.
type Record struct {
	Kind Kind  `json:"kind"`
	T    int64 `json:"t"` // microseconds since the test began, on its clock

	Server   string `json:"server,omitempty"`   // "s1"
	Instance int    `json:"instance,omitempty"` // Start, Crash: the instance, from 1

	// RPC
	From      string `json:"from,omitempty"`
	To        string `json:"to,omitempty"`
	Method    string `json:"method,omitempty"` // "RequestVote", "AppendEntries", ...
	Fate      string `json:"fate,omitempty"`
	Done      int64  `json:"done,omitempty"`      // when the fate was known
	ArgsTerm  int    `json:"argsTerm,omitempty"`  // the Term field of the arguments
	ReplyTerm int    `json:"replyTerm,omitempty"` // the Term field of the reply, if it arrived
	OK        bool   `json:"ok,omitempty"`        // granted, succeeded; Command: Start said it leads
	Bytes     int    `json:"bytes,omitempty"`     // size of the encoded arguments
	Entries   int    `json:"entries,omitempty"`   // AppendEntries: how many entries it carried

	// State, Command
	Role   string `json:"role,omitempty"`
	Term   int    `json:"term,omitempty"`
	Source string `json:"source,omitempty"`

	// Command, Apply, Snapshot
	Index   int    `json:"index,omitempty"`
	Command string `json:"command,omitempty"`

	// Network
	Shape  string     `json:"shape,omitempty"`
	Groups [][]string `json:"groups,omitempty"`

	// Log, Fail
	Topic    string `json:"topic,omitempty"`
	Text     string `json:"text,omitempty"`
	Where    string `json:"where,omitempty"`
	Property string `json:"property,omitempty"`

	// Test, Boot
	Test    string `json:"test,omitempty"`
	Seed    int64  `json:"seed,omitempty"`
	Clock   string `json:"clock,omitempty"` // "virtual" or "real"
	Servers int    `json:"servers,omitempty"`
}

// Micros converts a duration on the test's clock to a Record's time.
func Micros(d time.Duration) int64 { return d.Microseconds() }

// Seconds shows a Record's time as the failures do, e.g. "12.40s".
func Seconds(t int64) string {
	return strconv.FormatFloat(float64(t)/1e6, 'f', 3, 64) + "s"
}

// ServerName returns the name of server i, "s1".
func ServerName(i int) string { return "s" + strconv.Itoa(i) }

// ServerNumber parses a server name, "s1", into its number.
func ServerNumber(name string) (int, bool) {
	digits, ok := strings.CutPrefix(name, "s")
	if !ok {
		return 0, false
	}
	i, err := strconv.Atoi(digits)
	return i, err == nil && i >= 0
}

// String shows the record in one line of plain words, as the terminal view
// does, without its time and server.
func (r Record) String() string {
	switch r.Kind {
	case Test:
		return fmt.Sprintf("test %s, seed %d, %s time", r.Test, r.Seed, r.Clock)
	case Boot:
		return fmt.Sprintf("boot %d servers", r.Servers)
	case Start:
		if r.Instance > 1 {
			return fmt.Sprintf("restarted (instance %d)", r.Instance)
		}
		return "started"
	case Crash:
		return "crashed"
	case Network:
		return "network: " + r.Shape
	case RPC:
		s := fmt.Sprintf("%s %s->%s T%d", r.Method, r.From, r.To, r.ArgsTerm)
		if r.Entries > 0 {
			s += fmt.Sprintf(" +%d", r.Entries)
		}
		if r.Fate == Delivered {
			verdict := "no"
			if r.OK {
				verdict = "yes"
			}
			return s + fmt.Sprintf(" -> T%d %s", r.ReplyTerm, verdict)
		}
		return s + ": " + r.Fate
	case State:
		return fmt.Sprintf("%s in term %d (%s)", r.Role, r.Term, r.Source)
	case Command:
		if !r.OK {
			return fmt.Sprintf("Start(%s): not leader (term %d)", r.Command, r.Term)
		}
		return fmt.Sprintf("Start(%s) -> index %d, term %d", r.Command, r.Index, r.Term)
	case Apply:
		return fmt.Sprintf("applied %d: %s", r.Index, r.Command)
	case Snapshot:
		return fmt.Sprintf("installed snapshot up to %d", r.Index)
	case Log:
		return fmt.Sprintf("%-6s %s", r.Topic, r.Text)
	case Fail:
		text := r.Text
		if r.Property != "" {
			text = r.Property + ": " + text
		}
		if r.Where != "" {
			text = r.Where + ": " + text
		}
		return "FAILED " + text
	case End:
		return "end"
	}
	return string(r.Kind)
}
