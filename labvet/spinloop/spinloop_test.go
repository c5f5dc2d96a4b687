package spinloop_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"raftlabs/labvet/spinloop"
)

func Test(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), spinloop.Analyzer, "a")
}
