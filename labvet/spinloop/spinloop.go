package spinloop

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"

	"raftlabs/labvet/internal/raftflow"
)

// Analyzer reports a loop in a goroutine that never sleeps or blocks.
var Analyzer = &analysis.Analyzer{
	Name:     "spinloop",
	Doc:      "report a loop in a goroutine that never sleeps or blocks",
	Requires: []*analysis.Analyzer{raftflow.Analyzer},
	Run:      run,
}

func run(pass *analysis.Pass) (any, error) {
	prog := pass.ResultOf[raftflow.Analyzer].(*raftflow.Program)
	fields := newFieldSets(prog)
	for _, f := range goroutines(prog) {
		ast.Inspect(f.Body, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncLit:
				return false // a Func of its own
			case *ast.ForStmt:
				if isCandidate(pass.TypesInfo, n) && !fields.bodyChangesCond(n) && !mayBlock(prog, n) {
					pass.Reportf(n.For, "loop in %s never sleeps or blocks: it spins, and the tests' clock "+
						"stops while it runs (sleep or wait in every iteration, e.g. time.Sleep(10 * time.Millisecond); "+
						"checking killed() alone does not help)", f.Name)
				}
			}
			return true
		})
	}
	return nil, nil
}

// goroutines returns the functions that run as goroutines of the package
// (go statements, time.AfterFunc), Make and Make*, and every function of
// the package they call, in source order.
func goroutines(prog *raftflow.Program) []*raftflow.Func {
	info := prog.Info()
	seen := map[*raftflow.Func]bool{}
	var queue []*raftflow.Func
	add := func(f *raftflow.Func) {
		if f != nil && !seen[f] {
			seen[f] = true
			queue = append(queue, f)
		}
	}
	target := func(e ast.Expr) *raftflow.Func {
		switch e := ast.Unparen(e).(type) {
		case *ast.FuncLit:
			return prog.FuncOf(e)
		case *ast.SelectorExpr:
			if fn, ok := info.Uses[e.Sel].(*types.Func); ok {
				return prog.FuncOfObj(fn)
			}
		case *ast.Ident:
			if fn, ok := info.Uses[e].(*types.Func); ok {
				return prog.FuncOfObj(fn)
			}
		}
		return nil
	}
	for _, f := range prog.Funcs {
		if f.Decl != nil && f.Recv == "" && strings.HasPrefix(f.Decl.Name.Name, "Make") {
			add(f)
		}
		ast.Inspect(f.Body, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.GoStmt:
				add(target(n.Call.Fun))
			case *ast.CallExpr:
				if raftflow.IsFunc(raftflow.StaticFunc(info, n), "time", "AfterFunc") && len(n.Args) == 2 {
					add(target(n.Args[1]))
				}
			}
			return true
		})
	}
	for i := 0; i < len(queue); i++ {
		for _, ev := range prog.Events(queue[i].Body) {
			if ev.Kind == raftflow.EvCall {
				add(ev.Callee)
			}
		}
	}
	var out []*raftflow.Func
	for _, f := range prog.Funcs {
		if seen[f] {
			out = append(out, f)
		}
	}
	return out
}

// mayBlock reports whether anything in the loop can block.
func mayBlock(prog *raftflow.Program, loop *ast.ForStmt) bool {
	var evs []raftflow.Event
	if loop.Cond != nil {
		evs = prog.Events(loop.Cond)
	}
	evs = append(evs, prog.Events(loop.Body)...)
	for _, ev := range evs {
		switch {
		case ev.IsBlocking(), ev.Kind == raftflow.EvUnknownCall:
			return true
		case ev.Kind == raftflow.EvCall && prog.Summarize(ev.Callee).MayBlock:
			return true
		}
	}
	return false
}

// isCandidate reports whether loop may run for ever as far as its shape
// shows: no post statement, not a single pass, not visibly counting.
func isCandidate(info *types.Info, loop *ast.ForStmt) bool {
	if loop.Post != nil || endsInExit(loop.Body) {
		return false
	}
	if loop.Cond != nil {
		return !assignsAny(loop.Body, condPaths(loop.Cond))
	}
	return !(hasExit(loop.Body) && assignsOuterLocal(info, loop))
}

// endsInExit reports whether the body's last statement leaves the loop.
func endsInExit(body *ast.BlockStmt) bool {
	if len(body.List) == 0 {
		return false
	}
	switch s := body.List[len(body.List)-1].(type) {
	case *ast.ReturnStmt:
		return true
	case *ast.BranchStmt:
		return s.Tok == token.BREAK || s.Tok == token.GOTO
	}
	return false
}

// condPaths returns the variables and fields the condition reads ("rf.lastApplied",
// "first"), not counting the functions it calls or their receivers.
func condPaths(cond ast.Expr) []string {
	var paths []string
	var collect func(e ast.Node)
	collect = func(e ast.Node) {
		ast.Inspect(e, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncLit:
				return false
			case *ast.CallExpr:
				for _, a := range n.Args {
					collect(a)
				}
				return false
			case *ast.Ident, *ast.SelectorExpr, *ast.IndexExpr, *ast.StarExpr:
				if key, ok := raftflow.Key(n.(ast.Expr)); ok {
					paths = append(paths, key)
					ast.Inspect(n, func(m ast.Node) bool {
						if ix, ok := m.(*ast.IndexExpr); ok {
							collect(ix.Index)
						}
						return true
					})
					return false
				}
			}
			return true
		})
	}
	collect(cond)
	return paths
}

// assignsAny reports whether body assigns to one of paths, to a part of
// one, or to what holds one.
func assignsAny(body *ast.BlockStmt, paths []string) bool {
	related := func(lhs string) bool {
		for _, p := range paths {
			if lhs == p || strings.HasPrefix(p, lhs+".") || strings.HasPrefix(p, lhs+"[") ||
				strings.HasPrefix(lhs, p+".") || strings.HasPrefix(lhs, p+"[") {
				return true
			}
		}
		return false
	}
	found := false
	forAssigned(body, func(lhs ast.Expr) {
		if key, ok := raftflow.Key(lhs); ok && related(key) {
			found = true
		}
	})
	return found
}

// forAssigned calls f for every expression body assigns to (not counting
// new variables), outside function literals.
func forAssigned(body ast.Node, f func(lhs ast.Expr)) {
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.AssignStmt:
			if n.Tok != token.DEFINE {
				for _, lhs := range n.Lhs {
					f(lhs)
				}
			}
		case *ast.IncDecStmt:
			f(n.X)
		}
		return true
	})
}

// hasExit reports whether body can leave its loop: a return, or a break
// that is not inside a nested loop, switch or select.
func hasExit(body *ast.BlockStmt) bool {
	found := false
	var walk func(n ast.Node, nested bool)
	walk = func(n ast.Node, nested bool) {
		ast.Inspect(n, func(m ast.Node) bool {
			switch m := m.(type) {
			case *ast.FuncLit:
				return false
			case *ast.ReturnStmt:
				found = true
			case *ast.BranchStmt:
				if m.Tok == token.GOTO || (m.Tok == token.BREAK && (!nested || m.Label != nil)) {
					found = true
				}
			case *ast.ForStmt, *ast.RangeStmt, *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt:
				if m != n {
					walk(m, true)
					return false
				}
			}
			return true
		})
	}
	walk(body, false)
	return found
}

// assignsOuterLocal reports whether the loop's body steps a local
// variable declared before the loop.
func assignsOuterLocal(info *types.Info, loop *ast.ForStmt) bool {
	found := false
	forAssigned(loop.Body, func(lhs ast.Expr) {
		id, ok := ast.Unparen(lhs).(*ast.Ident)
		if !ok {
			return
		}
		v, ok := info.Uses[id].(*types.Var)
		if ok && v.Pos() < loop.Pos() && v.Parent() != nil && v.Parent() != v.Pkg().Scope() {
			found = true
		}
	})
	return found
}

// fieldSets knows which struct fields each function of the package reads
// and writes, its callees' included.
type fieldSets struct {
	prog          *raftflow.Program
	reads, writes map[*raftflow.Func]map[*types.Var]bool
}

func newFieldSets(prog *raftflow.Program) *fieldSets {
	return &fieldSets{prog: prog, reads: map[*raftflow.Func]map[*types.Var]bool{}, writes: map[*raftflow.Func]map[*types.Var]bool{}}
}

// bodyChangesCond reports whether the loop's body, or a function it calls,
// writes a field that the condition reads, itself or through a function it
// calls: for rf.hasWork() { rf.doWork() } counts towards its end.
func (fs *fieldSets) bodyChangesCond(loop *ast.ForStmt) bool {
	if loop.Cond == nil {
		return false
	}
	read := fs.of(loop.Cond, false)
	for v := range fs.of(loop.Body, true) {
		if read[v] {
			return true
		}
	}
	return false
}

// of returns the fields that n reads (write false) or writes (write true),
// directly or through the package's functions it calls.
func (fs *fieldSets) of(n ast.Node, write bool) map[*types.Var]bool {
	set := map[*types.Var]bool{}
	fs.collect(n, write, set)
	return set
}

func (fs *fieldSets) collect(n ast.Node, write bool, set map[*types.Var]bool) {
	info := fs.prog.Info()
	if write {
		ast.Inspect(n, func(m ast.Node) bool {
			switch m := m.(type) {
			case *ast.FuncLit, *ast.GoStmt:
				return false
			case *ast.AssignStmt:
				for _, lhs := range m.Lhs {
					if v := raftflow.LastField(info, lhs); v != nil {
						set[v] = true
					}
				}
			case *ast.IncDecStmt:
				if v := raftflow.LastField(info, m.X); v != nil {
					set[v] = true
				}
			}
			return true
		})
	} else {
		ast.Inspect(n, func(m ast.Node) bool {
			switch m := m.(type) {
			case *ast.FuncLit, *ast.GoStmt:
				return false
			case *ast.SelectorExpr:
				if v, ok := info.Uses[m.Sel].(*types.Var); ok && v.IsField() {
					set[v] = true
				}
			}
			return true
		})
	}
	for _, ev := range fs.prog.Events(n) {
		if ev.Kind == raftflow.EvCall {
			for v := range fs.ofFunc(ev.Callee, write) {
				set[v] = true
			}
		}
	}
}

// ofFunc is of for a function's body, remembered; a function being
// computed (recursion) counts as touching nothing more.
func (fs *fieldSets) ofFunc(f *raftflow.Func, write bool) map[*types.Var]bool {
	memo := fs.reads
	if write {
		memo = fs.writes
	}
	if set, ok := memo[f]; ok {
		return set
	}
	set := map[*types.Var]bool{}
	memo[f] = set
	fs.collect(f.Body, write, set)
	return set
}
