package replyreuse

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/astutil"

	"raftlabs/labvet/internal/raftflow"
)

// Analyzer reports RPC replies reused across calls or decoded into while
// not zero.
var Analyzer = &analysis.Analyzer{
	Name: "replyreuse",
	Doc:  "report an RPC reply reused across calls, or decoded into while not zero",
	Run:  run,
}

func run(pass *analysis.Pass) (any, error) {
	for _, file := range pass.Files {
		if raftflow.IsTestFile(pass.Fset, file.Pos()) {
			continue
		}
		ast.Inspect(file, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			fn := raftflow.StaticFunc(pass.TypesInfo, call)
			switch {
			case raftflow.IsRPCCall(pass.TypesInfo, call) && len(call.Args) == 3:
				checkReuse(pass, file, call, call.Args[2])
				checkZero(pass, file, call, call.Args[2], "Call")
			case raftflow.IsMethod(fn, "labgob", "LabDecoder", "Decode") && len(call.Args) == 1:
				checkZero(pass, file, call, call.Args[0], "Decode")
			}
			return true
		})
	}
	return nil, nil
}

// localVar returns the local variable e names (v or &v), or nil.
func localVar(info *types.Info, e ast.Expr) (*ast.Ident, *types.Var) {
	e = ast.Unparen(e)
	if u, ok := e.(*ast.UnaryExpr); ok && u.Op == token.AND {
		e = ast.Unparen(u.X)
	}
	id, ok := e.(*ast.Ident)
	if !ok {
		return nil, nil
	}
	v, ok := info.Uses[id].(*types.Var)
	if !ok || v.IsField() || v.Parent() == nil || v.Parent() == v.Pkg().Scope() {
		return nil, nil
	}
	return id, v
}

// checkReuse reports a reply declared outside a loop that encloses call.
func checkReuse(pass *analysis.Pass, file *ast.File, call *ast.CallExpr, reply ast.Expr) {
	id, v := localVar(pass.TypesInfo, reply)
	if v == nil {
		return
	}
	path, _ := astutil.PathEnclosingInterval(file, call.Pos(), call.End())
	inLit := false
	for _, n := range path {
		var body *ast.BlockStmt
		var once ast.Node // the part of the loop evaluated once
		switch n := n.(type) {
		case *ast.FuncLit:
			if v.Pos() >= n.Pos() && v.Pos() < n.End() {
				return // declared in this literal, inside any loop around it
			}
			inLit = true
			continue
		case *ast.FuncDecl:
			return
		case *ast.ForStmt:
			body, once = n.Body, n.Init
		case *ast.RangeStmt:
			body, once = n.Body, n.X
		default:
			continue
		}
		if v.Pos() >= n.Pos() && v.Pos() < n.End() {
			return // declared in the loop: fresh in every iteration
		}
		if once != nil && call.Pos() >= once.Pos() && call.End() <= once.End() {
			continue
		}
		if assignedBefore(pass.TypesInfo, body, v, call.Pos()) {
			continue
		}
		shared := ""
		if inLit {
			shared = "; the goroutines the loop starts all share it, which is also a data race"
		}
		pass.Reportf(reply.Pos(), "%s is reused across calls as Call's reply: it is declared at %s, outside the loop at %s, "+
			"so each Call decodes into the same %s, and gob leaves a field the answer does not send (a zero value) "+
			"as the earlier answer set it%s (declare a fresh reply inside the loop)",
			id.Name, raftflow.Where(pass.Fset, v.Pos()), raftflow.Where(pass.Fset, n.Pos()), typeName(pass, v.Type()), shared)
		return
	}
}

// assignedBefore reports whether body assigns v (or *v) before pos.
func assignedBefore(info *types.Info, body *ast.BlockStmt, v *types.Var, pos token.Pos) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		as, ok := n.(*ast.AssignStmt)
		if !ok || as.Pos() >= pos {
			return true
		}
		for _, lhs := range as.Lhs {
			lhs = ast.Unparen(lhs)
			if star, ok := lhs.(*ast.StarExpr); ok {
				lhs = star.X
			}
			if id, ok := lhs.(*ast.Ident); ok && (info.Uses[id] == v || info.Defs[id] == v) {
				found = true
			}
		}
		return true
	})
	return found
}

// checkZero reports a decode target that is not zero.
func checkZero(pass *analysis.Pass, file *ast.File, call *ast.CallExpr, target ast.Expr, what string) {
	if lit := compositeLit(target); lit != nil {
		if len(lit.Elts) > 0 {
			pass.Reportf(target.Pos(), "the %s that %s decodes into is not zero (%s): %s",
				typeName(pass, pass.TypesInfo.TypeOf(lit)), what, firstField(lit), advice)
		}
		return
	}
	id, v := localVar(pass.TypesInfo, target)
	if v == nil {
		return
	}
	if why := nonZeroInit(pass, file, v); why != "" {
		pass.Reportf(target.Pos(), "%s is not zero when %s decodes into it (%s at %s): %s",
			id.Name, what, why, raftflow.Where(pass.Fset, v.Pos()), advice)
		return
	}
	// A field set after the declaration, before the call.
	path, _ := astutil.PathEnclosingInterval(file, v.Pos(), v.Pos())
	var scope ast.Node
	for _, n := range path {
		if _, ok := n.(*ast.BlockStmt); ok {
			scope = n
			break
		}
	}
	if scope == nil {
		return
	}
	var set *ast.SelectorExpr
	ast.Inspect(scope, func(n ast.Node) bool {
		as, ok := n.(*ast.AssignStmt)
		if !ok || set != nil || as.Pos() <= v.Pos() || as.Pos() >= call.Pos() {
			return set == nil
		}
		for _, lhs := range as.Lhs {
			if sel, ok := ast.Unparen(lhs).(*ast.SelectorExpr); ok {
				if x, ok := ast.Unparen(sel.X).(*ast.Ident); ok && pass.TypesInfo.Uses[x] == v {
					set = sel
				}
			}
		}
		return set == nil
	})
	if set != nil {
		pass.Reportf(target.Pos(), "%s is not zero when %s decodes into it (%s is set at %s): %s",
			id.Name, what, types.ExprString(set), raftflow.Where(pass.Fset, set.Pos()), advice)
	}
}

const advice = "gob does not send zero values, so where the sender's value is zero this one keeps its own " +
	"(decode into a fresh, zero value)"

// compositeLit returns the literal of T{...} or &T{...}, or nil.
func compositeLit(e ast.Expr) *ast.CompositeLit {
	e = ast.Unparen(e)
	if u, ok := e.(*ast.UnaryExpr); ok && u.Op == token.AND {
		e = ast.Unparen(u.X)
	}
	lit, _ := e.(*ast.CompositeLit)
	return lit
}

// firstField describes the first element of a literal: "Term set".
func firstField(lit *ast.CompositeLit) string {
	if kv, ok := lit.Elts[0].(*ast.KeyValueExpr); ok {
		return types.ExprString(kv.Key) + " is set"
	}
	return "its fields are set"
}

// nonZeroInit says how v's declaration makes it non-zero, or "".
func nonZeroInit(pass *analysis.Pass, file *ast.File, v *types.Var) string {
	path, _ := astutil.PathEnclosingInterval(file, v.Pos(), v.Pos())
	var init ast.Expr
	for _, n := range path {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if n.Tok == token.DEFINE && len(n.Lhs) == len(n.Rhs) {
				for i, lhs := range n.Lhs {
					if id, ok := lhs.(*ast.Ident); ok && pass.TypesInfo.Defs[id] == v {
						init = n.Rhs[i]
					}
				}
			}
		case *ast.ValueSpec:
			if len(n.Names) == len(n.Values) {
				for i, id := range n.Names {
					if pass.TypesInfo.Defs[id] == v {
						init = n.Values[i]
					}
				}
			}
		}
		if init != nil {
			break
		}
	}
	if init == nil {
		return ""
	}
	if lit := compositeLit(init); lit != nil {
		if len(lit.Elts) > 0 {
			return "declared with " + firstField(lit)
		}
		return ""
	}
	if tv, ok := pass.TypesInfo.Types[init]; ok && tv.Value != nil {
		zero := false
		switch tv.Value.Kind() {
		case constant.Int, constant.Float, constant.Complex:
			zero = constant.Sign(tv.Value) == 0
		case constant.String:
			zero = constant.StringVal(tv.Value) == ""
		case constant.Bool:
			zero = !constant.BoolVal(tv.Value)
		}
		if !zero {
			return "declared as " + tv.Value.ExactString()
		}
	}
	return ""
}

func typeName(pass *analysis.Pass, t types.Type) string {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	return types.TypeString(t, types.RelativeTo(pass.Pkg))
}
