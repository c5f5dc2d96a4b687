package labrpc

import (
	"cmp"
	"slices"
)

// callKey is what the network counts calls by.
type callKey struct{ end, method string }

// A CallCount is how many calls one client end made to one method.
type CallCount struct {
	End    string // the client end's name
	Method string // such as "Raft.AppendEntries"
	Calls  int    // every call, whatever became of it
}

// countCallLocked counts one call through end to method. n.mu must be held.
func (n *Network) countCallLocked(end, method string) {
	n.calls[callKey{end, method}]++
}

// CallCounts returns how many calls each end made to each method, the
// busiest first. Like TotalCount, it counts every call, whatever became of
// it. It only locks a mutex, so it may be called from any goroutine, even
// one outside a testing/synctest bubble whose clock has stopped.
func (n *Network) CallCounts() []CallCount {
	n.mu.Lock()
	counts := make([]CallCount, 0, len(n.calls))
	for k, c := range n.calls {
		counts = append(counts, CallCount{End: k.end, Method: k.method, Calls: c})
	}
	n.mu.Unlock()
	slices.SortFunc(counts, func(a, b CallCount) int {
		return cmp.Or(cmp.Compare(b.Calls, a.Calls), cmp.Compare(a.End, b.End), cmp.Compare(a.Method, b.Method))
	})
	return counts
}
