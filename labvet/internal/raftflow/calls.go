package raftflow

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/types/typeutil"
)

// IsMethod reports whether fn is the method name of the named type
// typeName (or a pointer to it) declared in a package whose import path is
// pkgSuffix or ends in "/"+pkgSuffix. Matching on the path's last element
// lets the checks work on MIT's layout ("6.5840/labrpc") as well as ours.
func IsMethod(fn *types.Func, pkgSuffix, typeName, name string) bool {
	if fn == nil || fn.Name() != name {
		return false
	}
	sig, ok := fn.Type().(*types.Signature)
	if !ok || sig.Recv() == nil {
		return false
	}
	t := sig.Recv().Type()
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	named, ok := t.(*types.Named)
	if !ok || named.Obj().Name() != typeName || named.Obj().Pkg() == nil {
		return false
	}
	return pathIs(named.Obj().Pkg().Path(), pkgSuffix)
}

// IsFunc reports whether fn is the package-level function name of the
// package pkgPath.
func IsFunc(fn *types.Func, pkgPath, name string) bool {
	return fn != nil && fn.Name() == name && fn.Pkg() != nil && fn.Pkg().Path() == pkgPath &&
		fn.Type().(*types.Signature).Recv() == nil
}

func pathIs(path, suffix string) bool {
	return path == suffix || strings.HasSuffix(path, "/"+suffix)
}

// StaticFunc returns the function or method call invokes, if the call is
// static (not through a func value or an interface), or nil.
func StaticFunc(info *types.Info, call *ast.CallExpr) *types.Func {
	return typeutil.StaticCallee(info, call)
}

// IsRPCCall reports whether call is labrpc's (*ClientEnd).Call.
func IsRPCCall(info *types.Info, call *ast.CallExpr) bool {
	return IsMethod(StaticFunc(info, call), "labrpc", "ClientEnd", "Call")
}

// RPCName is the service method an RPC call names, such as
// "Raft.RequestVote", or "" if it is not a constant.
func RPCName(info *types.Info, call *ast.CallExpr) string {
	if len(call.Args) == 0 {
		return ""
	}
	tv, ok := info.Types[call.Args[0]]
	if !ok || tv.Value == nil || tv.Value.Kind() != constant.String {
		return ""
	}
	return constant.StringVal(tv.Value)
}

// MutexOp is what a call does to a sync.Mutex or sync.RWMutex.
type MutexOp int

const (
	NotMutex MutexOp = iota
	Lock             // Lock or RLock
	Unlock           // Unlock or RUnlock
)

// Mutex reports whether call locks or unlocks a sync.Mutex or RWMutex, and
// which one: key is the locked expression as written ("rf.mu"), read marks
// RLock and RUnlock.
func Mutex(info *types.Info, call *ast.CallExpr) (op MutexOp, key string, read bool) {
	fn := StaticFunc(info, call)
	if fn == nil || fn.Pkg() == nil || fn.Pkg().Path() != "sync" {
		return NotMutex, "", false
	}
	if !IsMethod(fn, "sync", "Mutex", fn.Name()) && !IsMethod(fn, "sync", "RWMutex", fn.Name()) {
		return NotMutex, "", false
	}
	switch fn.Name() {
	case "Lock":
		op = Lock
	case "RLock":
		op, read = Lock, true
	case "Unlock":
		op = Unlock
	case "RUnlock":
		op, read = Unlock, true
	default:
		return NotMutex, "", false
	}
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok {
		return NotMutex, "", false
	}
	key, ok = Key(sel.X)
	if !ok {
		return NotMutex, "", false
	}
	return op, key, read
}

// Key returns the expression e as a string, if it names a variable or a
// field path ("rf", "rf.mu", "rf.locks[i]"), so that two mentions of the
// same lock compare equal. A leading & and parentheses are dropped.
func Key(e ast.Expr) (string, bool) {
	e = ast.Unparen(e)
	if u, ok := e.(*ast.UnaryExpr); ok && u.Op == token.AND {
		e = ast.Unparen(u.X)
	}
	if !isPath(e) {
		return "", false
	}
	return types.ExprString(e), true
}

func isPath(e ast.Expr) bool {
	switch e := ast.Unparen(e).(type) {
	case *ast.Ident:
		return true
	case *ast.SelectorExpr:
		return isPath(e.X)
	case *ast.IndexExpr:
		return isPath(e.X)
	case *ast.StarExpr:
		return isPath(e.X)
	}
	return false
}

// Root is the variable at the start of a key: "rf" for "rf.mu".
func Root(key string) string {
	end := strings.IndexAny(key, ".[")
	if end < 0 {
		return strings.TrimPrefix(key, "*")
	}
	return strings.TrimPrefix(key[:end], "*")
}

// LastField returns the struct field that the path e ends in, looking
// through indexing: rf.replicateCond[i] ends in the field replicateCond.
func LastField(info *types.Info, e ast.Expr) *types.Var {
	for {
		switch x := ast.Unparen(e).(type) {
		case *ast.UnaryExpr:
			e = x.X
		case *ast.IndexExpr:
			e = x.X
		case *ast.StarExpr:
			e = x.X
		case *ast.SelectorExpr:
			if v, ok := info.Uses[x.Sel].(*types.Var); ok && v.IsField() {
				return v
			}
			return nil
		default:
			return nil
		}
	}
}

// IsCondWait reports whether call is (*sync.Cond).Wait, and returns the
// Cond's expression.
func IsCondWait(info *types.Info, call *ast.CallExpr) (cond ast.Expr, ok bool) {
	if !IsMethod(StaticFunc(info, call), "sync", "Cond", "Wait") {
		return nil, false
	}
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok {
		return nil, false
	}
	return sel.X, true
}
