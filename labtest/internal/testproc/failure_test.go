package testproc

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestFailureStringShowsContext(t *testing.T) {
	f := Violation("election safety", "term 3 has 2 leaders [s1 s4]\ns1 leader since 1.20s")
	f.Where = "lab1.go:18"
	f.Leadership = "leadership history:\n  s1 led term 3 from 1.20s\n"
	f.Network = "{s0 s1 s2} from 0.00s"
	assert.Equal(t, "lab1.go:18: election safety: term 3 has 2 leaders [s1 s4]\n"+
		"  s1 leader since 1.20s\n"+
		"  leadership history:\n    s1 led term 3 from 1.20s\n"+
		"  network: {s0 s1 s2} from 0.00s", f.String())

	plain := AsFailure(errors.New("s2: Start panicked: boom"))
	assert.Equal(t, "s2: Start panicked: boom", plain.String(), "any error becomes a failure with its message")
}
