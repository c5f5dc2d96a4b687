package rpcfields_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"raftlabs/labvet/rpcfields"
)

func Test(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), rpcfields.Analyzer, "a")
}
