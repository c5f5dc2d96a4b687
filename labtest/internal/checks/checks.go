package checks

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"raftlabs/labgob"
	"raftlabs/labtest/internal/history"
	"raftlabs/labtest/internal/testproc"
	"raftlabs/labtest/internal/words"
)

// A Sighting is one server seen believing it leads a term, at a time on
// the test's clock.
type Sighting struct {
	Server int
	At     time.Duration
}

// ElectionSafety checks a leader seen for term against the first leader
// seen for it. Paper Figure 3, Election Safety: at most one leader can be
// elected in a given term.
func ElectionSafety(term int, first, now Sighting) error {
	if first.Server == now.Server {
		return nil
	}
	return testproc.Violation("election safety", "term %d has 2 leaders %s\n  s%d leader since %s; s%d leader at %s",
		term, words.Servers([]int{first.Server, now.Server}), first.Server, words.Seconds(first.At), now.Server,
		words.Seconds(now.At)).AboutLeaders()
}

// Leaders are the first leader seen in each term, for election safety.
type Leaders struct {
	mu    sync.Mutex
	first map[int]Sighting
}

// Saw records now, a server seen leading term, and checks it against the
// first leader seen in term (ElectionSafety).
func (l *Leaders) Saw(term int, now Sighting) error {
	l.mu.Lock()
	first, seen := l.first[term]
	if !seen {
		if l.first == nil {
			l.first = map[int]Sighting{}
		}
		l.first[term] = now
	}
	l.mu.Unlock()
	if !seen {
		return nil
	}
	return ElectionSafety(term, first, now)
}

// NewestLeader returns the first server that believes it leads the newest
// term that has a leader.
func NewestLeader(leaders map[int][]int) (leader int, ok bool) {
	if len(leaders) == 0 {
		return -1, false
	}
	return leaders[slices.Max(slices.Collect(maps.Keys(leaders)))][0], true
}

// NoLeaderElected is the failure when no connected server came to believe
// it leads within waited.
func NoLeaderElected(waited time.Duration, terms map[int]int) error {
	return testproc.Failf("no leader: %v passed and no connected server believes it is the leader\n  terms: %s",
		waited, TermList(terms)).AboutLeaders()
}

// StillLeads checks that server i, which the test saw leading and which now
// answers term and isLeader, still leads, and that no connected server
// leads a newer term. h, if not nil, says since when i led.
func StillLeads(i, term int, isLeader bool, terms map[int]int, leaders map[int][]int, h *history.History) error {
	if !isLeader {
		was := fmt.Sprintf("s%d should still be the leader", i)
		if h != nil {
			if led, since, ok := h.LedTerm(i); ok {
				was = fmt.Sprintf("s%d led term %d from %s and should still lead", i, led, words.Seconds(since))
			}
		}
		now := ""
		for _, t := range slices.Sorted(maps.Keys(leaders)) {
			now += fmt.Sprintf("; %s believes it leads term %d", words.Servers(leaders[t]), t)
		}
		return testproc.Failf("%s, but it is in term %d and no longer believes it leads%s\n  terms: %s",
			was, term, now, TermList(terms)).AboutLeaders()
	}
	for _, t := range slices.Sorted(maps.Keys(leaders)) {
		if t > term {
			return testproc.Failf("s%d leads term %d, but %s lead the newer term %d\n  terms: %s",
				i, term, words.Servers(leaders[t]), t, TermList(terms)).AboutLeaders()
		}
	}
	return nil
}

// NoLeaderWithoutMajority checks that no server believes it leads, for a
// moment when no majority is connected.
func NoLeaderWithoutMajority(terms map[int]int, leaders map[int][]int) error {
	for _, term := range slices.Sorted(maps.Keys(leaders)) {
		return testproc.Failf("%s believes it leads term %d, but no majority of servers is connected, so no leader "+
			"can be elected\n  terms: %s", words.Servers(leaders[term]), term, TermList(terms)).AboutLeaders()
	}
	return nil
}

// TermsAgree checks that every server in terms is in one term, and returns
// it; settle is how long the servers were given to reach it.
func TermsAgree(terms map[int]int, settle time.Duration) (int, error) {
	if term, agree := sameTerm(terms); agree {
		return term, nil
	}
	return 0, testproc.Failf("terms disagree: once a leader sends heartbeats, every connected server should be in its "+
		"term within %v\n  terms: %s", settle, TermList(terms)).AboutLeaders()
}

// AppliedByAtLeast checks that index was applied by at least n servers;
// count of them did, namely by.
func AppliedByAtLeast(index, n, count int, by []int) error {
	if count >= n {
		return nil
	}
	return testproc.Failf("index %d was applied by only %d servers %s, want at least %d", index, count, words.Servers(by), n)
}

// NotApplied checks that no server applied index, which why says must not
// be committed; count servers, namely by, applied command there.
func NotApplied(index, count int, command any, by []int, why string) error {
	if count == 0 {
		return nil
	}
	return testproc.Failf("index %d was applied (%s) by %d servers %s, but %s",
		index, words.Command(command), count, words.Servers(by), why)
}

// StartedLate is the failure of a Start on server i that returned took
// after asked, answering term and isLeader; h, if not nil, says whether
// the server led a later term by then, or learned of one while Start
// waited.
func StartedLate(command any, i int, asked, took time.Duration, term int, isLeader bool, h *history.History) error {
	answer := "isLeader false"
	if isLeader {
		answer = fmt.Sprintf("isLeader true for term %d", term)
		if led, _, ok := h.LedTerm(i); ok && led > term {
			answer += fmt.Sprintf(", though by then it had led term %d", led)
		} else if at, to, ok := h.StepDown(i); ok && at >= asked {
			answer += fmt.Sprintf(", though at %s, while Start was waiting, it had learned of term %d", words.Seconds(at), to)
		}
	}
	return testproc.Failf("Start(%s) on s%d took %s to return (called at %s; it answered %s): Start must return at "+
		"once, appending to the log and leaving replication to the background, never waiting for an RPC, a "+
		"commit or a timer; an answer given late may describe a term the server no longer leads",
		words.Command(command), i, words.Seconds(took), words.Seconds(asked), answer).AboutLeaders()
}

// StartLeads checks a Start on server i that answered isLeader true for
// term against what the server's GetState said right after, now and
// leads: a server that is not the leader of that term must not have
// accepted the command. A leader that has since learned of a later term
// says so with the later term, which is no contradiction.
func StartLeads(i, term int, command any, now int, leads bool) error {
	if now != term || leads {
		return nil
	}
	return testproc.Failf("Start(%s) on s%d answered isLeader true for term %d, but s%d's GetState says it is not the "+
		"leader of term %d: only the leader appends a command to its log (Figure 2, Leaders: \"If command "+
		"received from client: append entry to local log\"); Start on any other server appends nothing and "+
		"answers isLeader false", words.Command(command), i, term, i, term)
}

// DescribeLeaders says what the servers of terms (each running server's
// term) and leading (whether it believes it leads) believe: "s3 leads term
// 4; [s0 s1 s2 s4] in terms 5, 5, 6, 5 without leading".
func DescribeLeaders(terms map[int]int, leading map[int]bool) string {
	servers := slices.Sorted(maps.Keys(terms))
	var parts []string
	var others []int
	var otherTerms []string
	for _, i := range servers {
		if leading[i] {
			parts = append(parts, fmt.Sprintf("s%d leads term %d", i, terms[i]))
		} else {
			others = append(others, i)
			otherTerms = append(otherTerms, strconv.Itoa(terms[i]))
		}
	}
	if len(others) > 0 {
		parts = append(parts, fmt.Sprintf("%s in terms %s without leading", words.Servers(others), strings.Join(otherTerms, ", ")))
	}
	if len(parts) == 0 {
		return "no server is running"
	}
	return strings.Join(parts, "; ")
}

// Replicable checks that command is one a Raft could replicate: not nil,
// and a value gob can encode inside a log entry (not a func, a channel, or
// a type that was not registered).
func Replicable(command any) error {
	if command == nil {
		return errors.New("a command must not be nil")
	}
	entry := struct{ Command any }{command}
	if err := labgob.NewEncoder(new(bytes.Buffer)).Encode(entry); err != nil {
		return fmt.Errorf("the command cannot be sent in an RPC: %v (register its type with labgob.Register)", err)
	}
	return nil
}

// sameTerm returns the term all of terms hold, if they agree.
func sameTerm(terms map[int]int) (term int, agree bool) {
	term = -1
	for _, t := range terms {
		if term == -1 {
			term = t
		} else if t != term {
			return 0, false
		}
	}
	return term, true
}

// TermList formats terms as "s0 3, s1 3, s2 4".
func TermList(terms map[int]int) string {
	var parts []string
	for _, i := range slices.Sorted(maps.Keys(terms)) {
		parts = append(parts, fmt.Sprintf("s%d %d", i, terms[i]))
	}
	if len(parts) == 0 {
		return "(no connected server)"
	}
	return strings.Join(parts, ", ")
}
