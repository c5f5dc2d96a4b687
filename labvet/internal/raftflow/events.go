package raftflow

import (
	"go/ast"
	"go/token"
	"go/types"
)

// EventKind is the kind of operation an Event is.
type EventKind int

const (
	EvLock        EventKind = iota // a Lock or RLock of Key
	EvUnlock                       // an Unlock or RUnlock of Key
	EvDeferUnlock                  // defer Key.Unlock()
	EvRPC                          // a labrpc Call
	EvSleep                        // time.Sleep
	EvSend                         // a channel send that may block
	EvRecv                         // a channel receive that may block (also range over a channel)
	EvCondWait                     // (*sync.Cond).Wait on Cond
	EvWaitGroup                    // (*sync.WaitGroup).Wait
	EvCall                         // a call of a function or method of this package: Callee
	EvUnknownCall                  // a call through a func value or an interface
)

// Event is one operation in a function's body that the checks care about.
type Event struct {
	Kind  EventKind
	Node  ast.Node // the call, send statement or receive expression
	Pos   token.Pos
	Key   string     // EvLock, EvUnlock, EvDeferUnlock: the lock
	Read  bool       // EvLock, EvUnlock: RLock or RUnlock
	Field *types.Var // EvLock: the mutex's struct field, if it is one
	Cond  ast.Expr   // EvCondWait: the Cond
	// EvCall: the function called, and for a method the receiver's key
	// ("rf" in rf.becomeLeader()), or "" if it is not a simple path.
	Callee  *Func
	RecvKey string
}

// IsBlocking reports whether the event can block its goroutine durably:
// sleep, wait, send, receive or an RPC.
func (ev Event) IsBlocking() bool {
	switch ev.Kind {
	case EvRPC, EvSleep, EvSend, EvRecv, EvCondWait, EvWaitGroup:
		return true
	}
	return false
}

// events returns the events of node in evaluation order: a call's
// operands come before the call. It does not look inside function
// literals or go statements, whose code runs elsewhere, and of a defer
// statement it keeps only a deferred Unlock.
func (p *Program) events(node ast.Node) []Event {
	var evs []Event
	var walk func(n ast.Node)
	walk = func(n ast.Node) {
		if n == nil {
			return
		}
		ast.Inspect(n, func(m ast.Node) bool {
			switch m := m.(type) {
			case *ast.FuncLit, *ast.GoStmt:
				return false
			case *ast.DeferStmt:
				if op, key, read := Mutex(p.info, m.Call); op == Unlock {
					evs = append(evs, Event{Kind: EvDeferUnlock, Node: m, Pos: m.Pos(), Key: key, Read: read})
				}
				return false
			case *ast.CallExpr:
				walk(m.Fun)
				for _, a := range m.Args {
					walk(a)
				}
				if ev, ok := p.callEvent(m); ok {
					evs = append(evs, ev)
				}
				return false
			case *ast.SendStmt:
				walk(m.Chan)
				walk(m.Value)
				if !p.nonBlocking[m] {
					evs = append(evs, Event{Kind: EvSend, Node: m, Pos: m.Arrow})
				}
				return false
			case *ast.UnaryExpr:
				if m.Op != token.ARROW {
					return true
				}
				walk(m.X)
				if !p.nonBlocking[m] {
					evs = append(evs, Event{Kind: EvRecv, Node: m, Pos: m.OpPos})
				}
				return false
			case *ast.RangeStmt:
				walk(m.X)
				if _, ok := p.info.TypeOf(m.X).Underlying().(*types.Chan); ok {
					evs = append(evs, Event{Kind: EvRecv, Node: m, Pos: m.For})
				}
				walk(m.Body)
				return false
			}
			return true
		})
	}
	walk(node)
	return evs
}

// callEvent classifies a call.
func (p *Program) callEvent(call *ast.CallExpr) (Event, bool) {
	info := p.info
	ev := Event{Node: call, Pos: call.Pos()}
	if tv, ok := info.Types[call.Fun]; ok && (tv.IsType() || tv.IsBuiltin()) {
		return ev, false // a conversion or len, append, ...
	}
	if op, key, read := Mutex(info, call); op != NotMutex {
		ev.Kind, ev.Key, ev.Read = EvLock, key, read
		ev.Field = LastField(info, ast.Unparen(call.Fun).(*ast.SelectorExpr).X)
		if op == Unlock {
			ev.Kind = EvUnlock
		}
		return ev, true
	}
	fn := StaticFunc(info, call)
	switch {
	case fn == nil:
		ev.Kind = EvUnknownCall
		return ev, true
	case IsRPCCall(info, call):
		ev.Kind = EvRPC
	case IsFunc(fn, "time", "Sleep"):
		ev.Kind = EvSleep
	case IsMethod(fn, "sync", "WaitGroup", "Wait"):
		ev.Kind = EvWaitGroup
	default:
		if cond, ok := IsCondWait(info, call); ok {
			ev.Kind, ev.Cond = EvCondWait, cond
			return ev, true
		}
		f := p.byObj[fn.Origin()]
		if f == nil {
			return ev, false // another package's function: assumed not to block
		}
		ev.Kind, ev.Callee = EvCall, f
		if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok && f.Recv != "" {
			ev.RecvKey, _ = Key(sel.X)
		}
	}
	return ev, true
}

// markSelects records the sends and receives of every select statement
// under root that has a default case: they never block.
func (p *Program) markSelects(root ast.Node) {
	ast.Inspect(root, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectStmt)
		if !ok {
			return true
		}
		hasDefault := false
		for _, c := range sel.Body.List {
			if c.(*ast.CommClause).Comm == nil {
				hasDefault = true
			}
		}
		if !hasDefault {
			return true
		}
		for _, c := range sel.Body.List {
			switch comm := c.(*ast.CommClause).Comm.(type) {
			case *ast.SendStmt:
				p.nonBlocking[comm] = true
			case *ast.ExprStmt:
				p.nonBlocking[ast.Unparen(comm.X)] = true
			case *ast.AssignStmt:
				p.nonBlocking[ast.Unparen(comm.Rhs[0])] = true
			}
		}
		return true
	})
}
