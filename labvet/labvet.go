package labvet

import (
	"golang.org/x/tools/go/analysis"

	"raftlabs/labvet/lockheld"
	"raftlabs/labvet/replyreuse"
	"raftlabs/labvet/rpcfields"
	"raftlabs/labvet/selflock"
	"raftlabs/labvet/spinloop"
)

// Analyzers are labvet's checks, in the order their findings are listed.
var Analyzers = []*analysis.Analyzer{
	lockheld.Analyzer,
	selflock.Analyzer,
	spinloop.Analyzer,
	rpcfields.Analyzer,
	replyreuse.Analyzer,
}
