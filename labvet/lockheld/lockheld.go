package lockheld

import (
	"fmt"
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/analysis"

	"raftlabs/labvet/internal/raftflow"
)

// Analyzer reports a mutex held across Call, time.Sleep, a channel send or
// a Wait on another lock.
var Analyzer = &analysis.Analyzer{
	Name:     "lockheld",
	Doc:      "report rf.mu held across Call, time.Sleep, a channel send or a Wait on another lock",
	Requires: []*analysis.Analyzer{raftflow.Analyzer},
	Run:      run,
}

func run(pass *analysis.Pass) (any, error) {
	prog := pass.ResultOf[raftflow.Analyzer].(*raftflow.Program)
	for _, f := range prog.Funcs {
		prog.Walk(f, func(ev raftflow.Event, pt raftflow.Point) {
			if len(pt.Held) == 0 {
				return
			}
			h := pt.Held[0]
			if msg := message(prog, ev, h, pt); msg != "" {
				pass.Reportf(ev.Pos, "%s", msg)
			}
		})
	}
	return nil, nil
}

// message is the finding for ev with h held, or "".
func message(prog *raftflow.Program, ev raftflow.Event, h raftflow.Held, pt raftflow.Point) string {
	fix := "unlock before %s"
	if h.Deferred {
		fix = "unlock before %s; defer " + h.Key + ".Unlock() holds it to the end of the function"
	}
	switch ev.Kind {
	case raftflow.EvRPC:
		return fmt.Sprintf("%s held across call to %s (may deadlock: "+fix+")",
			h.Key, rpcName(prog, ev), "sending")
	case raftflow.EvSleep:
		return fmt.Sprintf("%s held across time.Sleep (every goroutine that needs it waits, and the tests' clock stops: "+fix+")",
			h.Key, "sleeping")
	case raftflow.EvSend:
		ch := types.ExprString(ev.Node.(*ast.SendStmt).Chan)
		return fmt.Sprintf("%s held across send on %s (the receiver may need %s first: "+fix+")",
			h.Key, ch, h.Key, "sending")
	case raftflow.EvCondWait:
		lock := prog.CondLock(ev.Cond)
		if lock == nil {
			return "" // which lock the Cond uses is not known
		}
		for _, o := range pt.Held {
			if o.Field != nil && o.Field != lock {
				return fmt.Sprintf("%s held while waiting on %s, which releases only its own lock %s (deadlock: unlock %s before waiting)",
					o.Key, types.ExprString(ev.Cond), lock.Name(), o.Key)
			}
		}
	case raftflow.EvCall:
		s := prog.Summarize(ev.Callee)
		if len(s.Effects) == 0 {
			return ""
		}
		e := s.Effects[0]
		what := effectName(prog, e.Ev)
		if len(e.Via) > 0 {
			what += " through " + raftflow.Chain(e.Via)
		}
		return fmt.Sprintf("%s held across call to %s, which %s at %s (may deadlock: "+fix+")",
			h.Key, ev.Callee.Name, what, prog.Where(e.Ev.Pos), "calling it")
	}
	return ""
}

func rpcName(prog *raftflow.Program, ev raftflow.Event) string {
	if name := raftflow.RPCName(prog.Info(), ev.Node.(*ast.CallExpr)); name != "" {
		return name
	}
	return "labrpc's Call"
}

// effectName says what a blocking operation does: "calls Raft.RequestVote".
func effectName(prog *raftflow.Program, ev raftflow.Event) string {
	switch ev.Kind {
	case raftflow.EvRPC:
		return "calls " + rpcName(prog, ev)
	case raftflow.EvSleep:
		return "sleeps"
	case raftflow.EvSend:
		return "sends on " + types.ExprString(ev.Node.(*ast.SendStmt).Chan)
	}
	return "blocks"
}
