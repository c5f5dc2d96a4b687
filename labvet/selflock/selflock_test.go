package selflock_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"raftlabs/labvet/selflock"
)

func Test(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), selflock.Analyzer, "a")
}
