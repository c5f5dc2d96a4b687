package lockheld_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"raftlabs/labvet/lockheld"
)

func Test(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), lockheld.Analyzer, "a")
}
