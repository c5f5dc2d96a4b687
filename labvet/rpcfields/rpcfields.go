package rpcfields

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"

	"raftlabs/labvet/internal/raftflow"
)

// Analyzer reports lower-case fields in types that reach gob.
var Analyzer = &analysis.Analyzer{
	Name: "rpcfields",
	Doc:  "report lower-case fields in RPC arguments, replies and labgob-encoded state",
	Run:  run,
}

// use is a type that reaches gob, and where.
type use struct {
	t   types.Type
	pos token.Pos
	how string // "sent by Call", "received by the handler Raft.RequestVote", "encoded by labgob"
}

func run(pass *analysis.Pass) (any, error) {
	var uses []use
	for _, file := range pass.Files {
		if raftflow.IsTestFile(pass.Fset, file.Pos()) {
			continue
		}
		ast.Inspect(file, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				uses = append(uses, callUses(pass, n)...)
			case *ast.FuncDecl:
				uses = append(uses, handlerUses(pass, n)...)
			}
			return true
		})
	}
	c := &checker{pass: pass, reported: map[*types.Var]bool{}, seen: map[types.Type]bool{}}
	for _, u := range uses {
		clear(c.seen)
		c.check(u, u.t, nil)
	}
	return nil, nil
}

// callUses returns the types a call hands to gob.
func callUses(pass *analysis.Pass, call *ast.CallExpr) []use {
	fn := raftflow.StaticFunc(pass.TypesInfo, call)
	var args []ast.Expr
	how := ""
	switch {
	case raftflow.IsRPCCall(pass.TypesInfo, call) && len(call.Args) == 3:
		args, how = call.Args[1:], "sent by Call"
	case raftflow.IsMethod(fn, "labgob", "LabEncoder", "Encode"):
		args, how = call.Args, "encoded by labgob"
	case raftflow.IsMethod(fn, "labgob", "LabDecoder", "Decode"):
		args, how = call.Args, "decoded by labgob"
	}
	var uses []use
	for _, a := range args {
		if t := pass.TypesInfo.TypeOf(a); t != nil {
			uses = append(uses, use{t: t, pos: a.Pos(), how: how})
		}
	}
	return uses
}

// handlerUses returns the argument and reply types of an RPC handler: an
// exported method with two pointer parameters to struct types of this
// package and no results.
func handlerUses(pass *analysis.Pass, decl *ast.FuncDecl) []use {
	fn, ok := pass.TypesInfo.Defs[decl.Name].(*types.Func)
	if !ok || decl.Recv == nil || !fn.Exported() || raftflow.IsTestFile(pass.Fset, decl.Pos()) {
		return nil
	}
	sig := fn.Type().(*types.Signature)
	if sig.Params().Len() != 2 || sig.Results().Len() != 0 {
		return nil
	}
	var uses []use
	for p := range sig.Params().Variables() {
		ptr, ok := p.Type().(*types.Pointer)
		if !ok {
			return nil
		}
		named, ok := ptr.Elem().(*types.Named)
		if !ok || named.Obj().Pkg() != pass.Pkg {
			return nil
		}
		if _, ok := named.Underlying().(*types.Struct); !ok {
			return nil
		}
		uses = append(uses, use{t: p.Type(), pos: p.Pos(), how: "received by the RPC handler " + recvName(sig) + "." + fn.Name()})
	}
	return uses
}

func recvName(sig *types.Signature) string {
	t := sig.Recv().Type()
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	if named, ok := t.(*types.Named); ok {
		return named.Obj().Name()
	}
	return types.TypeString(t, nil)
}

type checker struct {
	pass     *analysis.Pass
	reported map[*types.Var]bool
	seen     map[types.Type]bool
}

// check walks t, reached from u through the fields in path.
func (c *checker) check(u use, t types.Type, path []string) {
	if c.seen[t] {
		return
	}
	c.seen[t] = true
	switch t := t.(type) {
	case *types.Pointer:
		c.check(u, t.Elem(), path)
	case *types.Slice:
		c.check(u, t.Elem(), path)
	case *types.Array:
		c.check(u, t.Elem(), path)
	case *types.Map:
		c.check(u, t.Key(), path)
		c.check(u, t.Elem(), path)
	case *types.Alias:
		c.check(u, types.Unalias(t), path)
	case *types.Named:
		if t.Obj().Pkg() != c.pass.Pkg || encodesItself(t) {
			return // another package's type, or one gob does not look into
		}
		st, ok := t.Underlying().(*types.Struct)
		if !ok {
			c.check(u, t.Underlying(), path)
			return
		}
		name := t.Obj().Name()
		for f := range st.Fields() {
			if !f.Exported() {
				c.report(u, name, f, path)
			}
			c.check(u, f.Type(), append(path[:len(path):len(path)], name+"."+f.Name()))
		}
	}
}

func (c *checker) report(u use, typeName string, f *types.Var, path []string) {
	if c.reported[f] {
		return
	}
	c.reported[f] = true
	via := ""
	if len(path) > 0 {
		via = " (reached through " + strings.Join(path, ", ") + ")"
	}
	t := u.t
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	root := types.TypeString(t, types.RelativeTo(c.pass.Pkg))
	pos := f.Pos()
	if !pos.IsValid() {
		pos = u.pos
	}
	c.pass.Report(analysis.Diagnostic{Pos: pos, Message: fmt.Sprintf(
		"field %s.%s starts with a lower-case letter, so gob will not send or save it: %s is %s at %s%s "+
			"(capitalize the field: %s)",
		typeName, f.Name(), root, u.how, raftflow.Where(c.pass.Fset, u.pos), via, capitalized(f.Name()))})
}

func capitalized(name string) string {
	if name == "" {
		return name
	}
	return strings.ToUpper(name[:1]) + name[1:]
}

// encodesItself reports whether gob encodes t through its own methods.
func encodesItself(t types.Type) bool {
	for _, name := range []string{"GobEncode", "MarshalBinary"} {
		obj, _, _ := types.LookupFieldOrMethod(types.NewPointer(t), true, nil, name)
		if _, ok := obj.(*types.Func); ok {
			return true
		}
	}
	return false
}
