// Package raftflow follows locks, blocking operations and calls through the
// functions of one package, for labvet's analyzers: which mutexes are held
// at each call, RPC, sleep, send and Cond.Wait (along the control flow,
// deferred Unlocks included), and what each function does to its caller's
// locks. Its Analyzer computes this once per package and hands it to the
// analyzers that require it.
//
// # Usage
//
//	prog := pass.ResultOf[raftflow.Analyzer].(*raftflow.Program)
//	for _, f := range prog.Funcs {
//		prog.Walk(f, func(ev raftflow.Event, held []raftflow.Held) { ... })
//	}
//
// # Model
//
// The analysis is within one package and deliberately under-approximate:
// a lock is held at a point only if it is held on every path to it, and a
// function's summary lists only what it does on some path before it
// releases any lock. Calls into other packages are assumed not to block or
// lock, except time.Sleep, sync's Wait methods and labrpc's Call.
package raftflow

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"reflect"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/cfg"
)

// Analyzer builds the Program of a package.
var Analyzer = &analysis.Analyzer{
	Name:       "raftflow",
	Doc:        "follows locks and blocking operations through a package's functions (for labvet's analyzers)",
	Run:        run,
	ResultType: reflect.TypeFor[*Program](),
}

// Program is the functions of one package, with what the checks need to
// know of each.
type Program struct {
	Fset  *token.FileSet
	Funcs []*Func // every function declaration and literal with a body, in source order

	info        *types.Info
	byObj       map[*types.Func]*Func
	byLit       map[*ast.FuncLit]*Func
	nonBlocking map[ast.Node]bool         // sends and receives in a select with a default case
	condLocks   map[*types.Var]*types.Var // a sync.Cond field -> the field of the mutex it was made with
}

// Func is one function declaration or function literal.
type Func struct {
	Name string // "rf.ticker", or "func literal in rf.ticker"
	Decl *ast.FuncDecl
	Lit  *ast.FuncLit
	Obj  *types.Func // nil for a literal
	Body *ast.BlockStmt
	Recv string // the receiver's name, for a method

	cfg     *cfg.CFG
	blocks  [][]Event // the events of each block of cfg
	summary *Summary
	state   int // 0: not summarized, 1: in progress, 2: done
}

// File returns the name of the file f is in.
func (p *Program) File(f *Func) string {
	return p.Fset.File(f.Body.Pos()).Name()
}

// FuncOf returns the Func of a literal.
func (p *Program) FuncOf(lit *ast.FuncLit) *Func { return p.byLit[lit] }

// FuncOfObj returns the Func of a declared function of this package.
func (p *Program) FuncOfObj(fn *types.Func) *Func { return p.byObj[fn] }

// Info is the package's type information.
func (p *Program) Info() *types.Info { return p.info }

// Events returns the events of any node, as Walk would see them, without
// regard to locks.
func (p *Program) Events(n ast.Node) []Event { return p.events(n) }

// IsTestFile reports whether the file holding pos is a _test.go file.
func IsTestFile(fset *token.FileSet, pos token.Pos) bool {
	return strings.HasSuffix(fset.File(pos).Name(), "_test.go")
}

func run(pass *analysis.Pass) (any, error) {
	p := &Program{
		Fset:        pass.Fset,
		info:        pass.TypesInfo,
		byObj:       map[*types.Func]*Func{},
		byLit:       map[*ast.FuncLit]*Func{},
		nonBlocking: map[ast.Node]bool{},
		condLocks:   map[*types.Var]*types.Var{},
	}
	for _, file := range pass.Files {
		if IsTestFile(pass.Fset, file.Pos()) {
			continue
		}
		p.markSelects(file)
		p.findConds(file)
		for _, d := range file.Decls {
			decl, ok := d.(*ast.FuncDecl)
			if !ok || decl.Body == nil {
				continue
			}
			f := &Func{Name: declName(decl), Decl: decl, Body: decl.Body}
			f.Obj, _ = pass.TypesInfo.Defs[decl.Name].(*types.Func)
			if decl.Recv != nil && len(decl.Recv.List) > 0 && len(decl.Recv.List[0].Names) > 0 {
				f.Recv = decl.Recv.List[0].Names[0].Name
			}
			p.Funcs = append(p.Funcs, f)
			if f.Obj != nil {
				p.byObj[f.Obj] = f
			}
			ast.Inspect(decl.Body, func(n ast.Node) bool {
				if lit, ok := n.(*ast.FuncLit); ok {
					lf := &Func{Name: "func literal in " + f.Name, Lit: lit, Body: lit.Body}
					p.Funcs = append(p.Funcs, lf)
					p.byLit[lit] = lf
				}
				return true
			})
		}
	}
	for _, f := range p.Funcs {
		f.cfg = cfg.New(f.Body, mayReturn)
		f.blocks = make([][]Event, len(f.cfg.Blocks))
		for i, b := range f.cfg.Blocks {
			for _, n := range b.Nodes {
				f.blocks[i] = append(f.blocks[i], p.events(n)...)
			}
		}
	}
	// Summarize every declared function now: the analyzers that use the
	// Program may run at the same time, and must find it read-only.
	for _, f := range p.Funcs {
		if f.Obj != nil {
			p.Summarize(f)
		}
	}
	return p, nil
}

// declName is how a message names a declared function: "rf.ticker" for a
// method with receiver rf, "Make" for a function.
func declName(decl *ast.FuncDecl) string {
	if decl.Recv != nil && len(decl.Recv.List) > 0 && len(decl.Recv.List[0].Names) > 0 {
		return decl.Recv.List[0].Names[0].Name + "." + decl.Name.Name
	}
	return decl.Name.Name
}

// mayReturn reports whether a call may return: panic does not.
func mayReturn(call *ast.CallExpr) bool {
	if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok && id.Name == "panic" {
		return false
	}
	return true
}

// findConds records, for every assignment of sync.NewCond(&x.mu) to a
// field (rf.applyCond = ..., rf.conds[i] = ..., or a composite literal's
// applyCond: ...), which mutex field the Cond waits with.
func (p *Program) findConds(file *ast.File) {
	record := func(lhs *types.Var, rhs ast.Expr) {
		call, ok := ast.Unparen(rhs).(*ast.CallExpr)
		if !ok || lhs == nil || len(call.Args) != 1 || !IsFunc(StaticFunc(p.info, call), "sync", "NewCond") {
			return
		}
		if lock := LastField(p.info, call.Args[0]); lock != nil {
			p.condLocks[lhs] = lock
		}
	}
	ast.Inspect(file, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if len(n.Lhs) == len(n.Rhs) {
				for i := range n.Lhs {
					record(LastField(p.info, n.Lhs[i]), n.Rhs[i])
				}
			}
		case *ast.KeyValueExpr:
			if id, ok := n.Key.(*ast.Ident); ok {
				if v, ok := p.info.Uses[id].(*types.Var); ok && v.IsField() {
					record(v, n.Value)
				}
			}
		}
		return true
	})
}

// CondLock returns the mutex field a Cond expression was made with
// (rf.applyCond -> the field mu), or nil if that is not known.
func (p *Program) CondLock(cond ast.Expr) *types.Var {
	field := LastField(p.info, cond)
	if field == nil {
		return nil
	}
	return p.condLocks[field]
}

// Where is how a message points at pos: "raft.go:88".
func (p *Program) Where(pos token.Pos) string {
	return Where(p.Fset, pos)
}

// Where is how a message points at pos: "raft.go:88".
func Where(fset *token.FileSet, pos token.Pos) string {
	position := fset.Position(pos)
	name := position.Filename
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	return fmt.Sprintf("%s:%d", name, position.Line)
}

// Chain names the calls of an effect's Via: "rf.send, then rf.call".
func Chain(via []*Func) string {
	names := make([]string, len(via))
	for i, f := range via {
		names[i] = f.Name
	}
	return strings.Join(names, ", then ")
}
