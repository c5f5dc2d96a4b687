package replyreuse_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"raftlabs/labvet/replyreuse"
)

func Test(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), replyreuse.Analyzer, "a")
}
