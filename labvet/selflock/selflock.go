package selflock

import (
	"golang.org/x/tools/go/analysis"

	"raftlabs/labvet/internal/raftflow"
)

// Analyzer reports a mutex locked again while it is held.
var Analyzer = &analysis.Analyzer{
	Name:     "selflock",
	Doc:      "report a mutex locked again while it is held (sync.Mutex is not reentrant)",
	Requires: []*analysis.Analyzer{raftflow.Analyzer},
	Run:      run,
}

func run(pass *analysis.Pass) (any, error) {
	prog := pass.ResultOf[raftflow.Analyzer].(*raftflow.Program)
	for _, f := range prog.Funcs {
		prog.Walk(f, func(ev raftflow.Event, pt raftflow.Point) {
			switch ev.Kind {
			case raftflow.EvLock:
				h, held := pt.IsHeld(ev.Key)
				if !held || (h.Read && ev.Read) {
					return // two read locks do not deadlock by themselves
				}
				pass.Reportf(ev.Pos, "%s locked again while already held (locked at %s): sync.Mutex is not reentrant, "+
					"so this goroutine waits for itself for ever", ev.Key, prog.Where(h.Pos))
			case raftflow.EvCall:
				for _, a := range prog.Summarize(ev.Callee).Acquires {
					key, ok := raftflow.MapKey(a.Key, ev.RecvKey)
					if !ok {
						continue
					}
					h, held := pt.IsHeld(key)
					if !held {
						continue
					}
					where := prog.Where(a.Pos)
					if len(a.Via) > 0 {
						where = raftflow.Chain(a.Via) + " at " + where
					}
					pass.Reportf(ev.Pos, "call to %s with %s held (locked at %s): it locks %s again (%s), and sync.Mutex "+
						"is not reentrant, so this goroutine waits for itself for ever (call it after unlocking, or "+
						"split out a version to call with the lock held)", ev.Callee.Name, key, prog.Where(h.Pos), key, where)
					return
				}
			}
		})
	}
	return nil, nil
}
