package agreement

import (
	"reflect"
	"time"

	"raftlabs/labtest/internal/checks"
	"raftlabs/labtest/internal/testproc"
	"raftlabs/labtest/internal/words"
)

// Cluster is what the polling needs of the cluster: its faces, and the
// facts its verdicts name.
type Cluster interface {
	N() int
	Next(i int) int
	IsConnected(i int) bool
	Running(i int) bool
	Start(i int, command any) (index, term int, isLeader bool)
	GetState(i int) (term int, isLeader bool)
	Committed(index int) (count int, command any)
	Sleep(d time.Duration)
	Now() time.Duration

	// AppliedBy returns the servers that have applied index.
	AppliedBy(index int) []int
	// MaxIndex returns the highest index applied anywhere.
	MaxIndex() int
	// StallHow explains why the servers that lack index, which a Start on
	// leader returned for command, were not sent it or did not take it.
	StallHow(leader, index int, command any) string
}

// WaitCommitted waits until at least n servers have applied index and
// returns the command there. It gives up, returning nil, if any server's
// term moves past startTerm (-1 waits regardless), since the entry may
// then have been replaced; and it fails after 10 seconds.
func WaitCommitted(c Cluster, index, n, startTerm int) (any, error) {
	wait := 10 * time.Millisecond
	for range 30 {
		if count, _ := c.Committed(index); count >= n {
			break
		}
		c.Sleep(wait)
		wait = min(2*wait, time.Second)
		if startTerm > -1 {
			for i := range c.N() {
				if !c.Running(i) {
					continue
				}
				if term, _ := c.GetState(i); term > startTerm {
					return nil, nil
				}
			}
		}
	}
	count, cmd := c.Committed(index)
	if err := checks.AppliedByAtLeast(index, n, count, c.AppliedBy(index)); err != nil {
		return nil, err
	}
	return cmd, nil
}

// Agree submits command to whichever server is leader and checks that at
// least n servers apply it, returning its index. If resubmit, it submits
// the command again when the entry is lost in a change of leader, for up
// to 10 seconds; if not, the first leader to accept it must get it applied
// by n servers.
func Agree(c Cluster, command any, n int, resubmit bool) (int, error) {
	start := c.Now()
	next := 0
	accepted := false
	leader, index := -1, -1 // the latest Start that accepted the command
	for c.Now()-start < 10*time.Second {
		// Try each running, connected server until one says it leads.
		index = -1
		for range c.N() {
			i := next
			next = c.Next(next)
			if !c.IsConnected(i) {
				continue
			}
			if idx, _, ok := c.Start(i, command); ok {
				leader, index = i, idx
				break
			}
		}
		if index == -1 {
			c.Sleep(50 * time.Millisecond)
			continue
		}
		accepted = true
		// Somebody accepted it: wait up to 2 seconds for n servers to apply.
		submitted := c.Now()
		for c.Now()-submitted < 2*time.Second {
			count, cmd := c.Committed(index)
			if count >= n && reflect.DeepEqual(cmd, command) {
				return index, nil
			}
			c.Sleep(20 * time.Millisecond)
		}
		if !resubmit {
			count, cmd := c.Committed(index)
			return -1, testproc.Failf("agreement: %s was accepted at index %d but, 2s later, %d servers %s had applied it "+
				"(want %d; applied there: %s)%s", words.Command(command), index, count, words.Servers(c.AppliedBy(index)), n,
				words.Command(cmd), c.StallHow(leader, index, command))
		}
	}
	if !accepted {
		return -1, testproc.Failf("agreement: for 10s no connected server accepted Start(%s): each answered isLeader false",
			words.Command(command))
	}
	how := ""
	if index > 0 {
		how = c.StallHow(leader, index, command)
	}
	return -1, testproc.Failf("agreement: %s was not applied by %d servers within 10s (the highest index applied anywhere is %d)%s",
		words.Command(command), n, c.MaxIndex(), how)
}
