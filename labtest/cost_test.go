package labtest

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"raftlabs/labtest/internal/cost"
)

// TestEveryTestHasAReferenceCost keeps internal/cost/reference.go in step with the
// suite: a test without a recorded cost would never be compared.
func TestEveryTestHasAReferenceCost(t *testing.T) {
	for _, test := range Suite {
		_, ok := cost.Reference(test.Name())
		assert.True(t, ok, "%s has no recorded reference cost: run go run ./cmd/labgen -costs", test.Name())
	}
	for _, name := range cost.Recorded() {
		found := false
		for _, test := range Suite {
			found = found || test.Name() == name
		}
		assert.True(t, found, "internal/cost/reference.go records %s, which the suite no longer has: run go run ./cmd/labgen -costs", name)
	}
}
