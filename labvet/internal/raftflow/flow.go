package raftflow

import (
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strings"
)

// Held is a lock held at some point of a function.
type Held struct {
	Key      string
	Pos      token.Pos  // where it was locked
	Read     bool       // by RLock
	Deferred bool       // a deferred Unlock releases it when the function returns
	Field    *types.Var // the mutex's struct field, if known
}

// Point is the lock state just before an event.
type Point struct {
	Held []Held // locks held on every path to the event, sorted by key
	// Released is true if, on some path to the event, the function has
	// released a lock its caller may hold (an Unlock of a lock it did not
	// take, a Cond.Wait, or a call that does either).
	Released bool
	Freed    []string // the keys of such Unlocks
}

// IsHeld returns the held lock with key, if any.
func (pt Point) IsHeld(key string) (Held, bool) {
	for _, h := range pt.Held {
		if h.Key == key {
			return h, true
		}
	}
	return Held{}, false
}

type state struct {
	reached bool
	Point
}

// Summary is what a function does, as its callers see it.
type Summary struct {
	// Effects are the blocking operations (RPC calls, sleeps, sends) the
	// function reaches on some path before it releases a lock its caller
	// may hold: a caller that holds a lock holds it across them.
	Effects []Effect
	// Acquires are the locks the function takes (itself or through its
	// callees) that it did not first release, with keys relative to its
	// receiver ("$.mu") or package-level.
	Acquires []Acquire
	// NetLock and NetUnlock are the relative keys of the locks it leaves
	// held on return (a lock helper) and those of its caller it releases
	// (an unlock helper).
	NetLock, NetUnlock []string
	// Releases is true if it may release a lock its caller holds.
	Releases bool
	// MayBlock is true if it may sleep, wait, send, receive, make an RPC
	// or call a function value, on some path.
	MayBlock bool
}

// Effect is a blocking operation a function reaches, and the calls that
// lead to it from the function.
type Effect struct {
	Ev  Event
	Via []*Func
}

// Acquire is a lock a function takes, and the calls that lead to the Lock.
type Acquire struct {
	Key string // relative, as in Summary
	Pos token.Pos
	Via []*Func
}

// Walk follows the locks through f along its control flow and calls visit
// for every event of f, with the lock state just before it. An event in a
// block that cannot be reached is not visited.
func (p *Program) Walk(f *Func, visit func(ev Event, pt Point)) {
	in, _ := p.flow(f)
	for i := range f.cfg.Blocks {
		st := in[i]
		if !st.reached {
			continue
		}
		for _, ev := range f.blocks[i] {
			visit(ev, st.Point)
			st = p.apply(f, st, ev)
		}
	}
}

// flow computes the state at the entry of each block, and the states at
// the function's returns.
func (p *Program) flow(f *Func) (in []state, exits []state) {
	blocks := f.cfg.Blocks
	in = make([]state, len(blocks))
	if len(blocks) == 0 {
		return in, nil
	}
	in[0] = state{reached: true}
	for changed := true; changed; {
		changed = false
		for i, b := range blocks {
			if !in[i].reached {
				continue
			}
			out := in[i]
			for _, ev := range f.blocks[i] {
				out = p.apply(f, out, ev)
			}
			for _, s := range b.Succs {
				m := merge(in[s.Index], out)
				if !equal(m, in[s.Index]) {
					in[s.Index] = m
					changed = true
				}
			}
		}
	}
	for i, b := range blocks {
		if !in[i].reached || len(b.Succs) > 0 || endsInPanic(b.Nodes) {
			continue
		}
		out := in[i]
		for _, ev := range f.blocks[i] {
			out = p.apply(f, out, ev)
		}
		exits = append(exits, out)
	}
	return in, exits
}

func endsInPanic(nodes []ast.Node) bool {
	if len(nodes) == 0 {
		return false
	}
	s, ok := nodes[len(nodes)-1].(*ast.ExprStmt)
	if !ok {
		return false
	}
	call, ok := s.X.(*ast.CallExpr)
	return ok && !mayReturn(call)
}

// apply returns the state after ev.
func (p *Program) apply(f *Func, st state, ev Event) state {
	switch ev.Kind {
	case EvLock:
		if _, ok := st.IsHeld(ev.Key); !ok {
			st.Held = withHeld(st.Held, Held{Key: ev.Key, Pos: ev.Pos, Read: ev.Read, Field: ev.Field})
		}
	case EvUnlock:
		st = release(st, ev.Key)
	case EvDeferUnlock:
		if h, ok := st.IsHeld(ev.Key); ok {
			h.Deferred = true
			st.Held = withHeld(withoutHeld(st.Held, ev.Key), h)
		} else {
			st.Freed = withKey(st.Freed, ev.Key)
		}
	case EvCondWait:
		lock := p.CondLock(ev.Cond)
		own := false
		for _, h := range st.Held {
			own = own || (lock != nil && h.Field == lock)
		}
		if !own {
			st.Released = true
		}
	case EvCall:
		s := p.Summarize(ev.Callee)
		for _, k := range s.NetLock {
			if key, ok := mapKey(k, ev.RecvKey); ok {
				if _, held := st.IsHeld(key); !held {
					st.Held = withHeld(st.Held, Held{Key: key, Pos: ev.Pos})
				}
			}
		}
		for _, k := range s.NetUnlock {
			if key, ok := mapKey(k, ev.RecvKey); ok {
				st = release(st, key)
			}
		}
		if s.Releases {
			st.Released = true
		}
	}
	return st
}

// release is st after an Unlock of key.
func release(st state, key string) state {
	if _, ok := st.IsHeld(key); ok {
		st.Held = withoutHeld(st.Held, key)
	} else {
		st.Freed = withKey(st.Freed, key)
		st.Released = true
	}
	return st
}

// Summarize returns what f does, as its callers see it. A function that
// is being summarized when it is called again (recursion) looks, to that
// call, as if it did nothing. The Analyzer summarizes every declared
// function before it returns the Program, so that for the analyzers that
// use it Summarize only reads.
func (p *Program) Summarize(f *Func) *Summary {
	switch f.state {
	case 1:
		return &Summary{}
	case 2:
		return f.summary
	}
	f.state = 1
	s := &Summary{}
	guarded := p.paramGuarded(f)
	p.Walk(f, func(ev Event, pt Point) {
		if ev.IsBlocking() || ev.Kind == EvUnknownCall {
			s.MayBlock = true
		}
		if guarded(ev.Pos) {
			// Whether it happens depends on an argument: the caller may
			// well pass the one that avoids it (persist(locked bool)).
			if ev.Kind == EvCall {
				s.MayBlock = s.MayBlock || p.Summarize(ev.Callee).MayBlock
			}
			return
		}
		switch ev.Kind {
		case EvRPC, EvSleep, EvSend:
			if !pt.Released {
				s.Effects = append(s.Effects, Effect{Ev: ev})
			}
		case EvLock:
			if _, held := pt.IsHeld(ev.Key); !held && !slices.Contains(pt.Freed, ev.Key) {
				if rel, ok := p.relKey(f, ev.Key); ok {
					s.Acquires = append(s.Acquires, Acquire{Key: rel, Pos: ev.Pos})
				}
			}
		case EvCall:
			cs := p.Summarize(ev.Callee)
			s.MayBlock = s.MayBlock || cs.MayBlock
			if !pt.Released {
				for _, e := range cs.Effects {
					s.Effects = append(s.Effects, Effect{Ev: e.Ev, Via: append([]*Func{ev.Callee}, e.Via...)})
				}
			}
			for _, a := range cs.Acquires {
				key, ok := mapKey(a.Key, ev.RecvKey)
				if !ok {
					continue
				}
				if _, held := pt.IsHeld(key); held || slices.Contains(pt.Freed, key) {
					continue
				}
				if rel, ok := p.relKey(f, key); ok {
					s.Acquires = append(s.Acquires, Acquire{Key: rel, Pos: a.Pos, Via: append([]*Func{ev.Callee}, a.Via...)})
				}
			}
		}
	})
	_, exits := p.flow(f)
	for i, ex := range exits {
		var locked []string
		for _, h := range ex.Held {
			if !h.Deferred {
				locked = append(locked, h.Key)
			}
		}
		if i == 0 {
			s.NetLock = locked
		} else {
			s.NetLock = slices.DeleteFunc(s.NetLock, func(k string) bool { return !slices.Contains(locked, k) })
		}
		for _, k := range ex.Freed {
			if !slices.Contains(locked, k) {
				s.NetUnlock = withKey(s.NetUnlock, k)
			}
		}
		s.Releases = s.Releases || ex.Released
	}
	s.NetLock = p.relKeys(f, s.NetLock)
	s.NetUnlock = p.relKeys(f, s.NetUnlock)
	f.summary, f.state = s, 2
	return s
}

// relKey turns a key of f into one its callers can map to theirs: "$.mu"
// for rf.mu in a method whose receiver is rf, the key itself for a
// package-level variable, and false for anything else (a local).
func (p *Program) relKey(f *Func, key string) (string, bool) {
	root := Root(key)
	if f.Recv != "" && root == f.Recv && !strings.HasPrefix(key, "*") {
		return "$" + key[len(root):], true
	}
	if f.Obj != nil && f.Obj.Pkg() != nil {
		if v, ok := f.Obj.Pkg().Scope().Lookup(root).(*types.Var); ok && v.Parent() == f.Obj.Pkg().Scope() {
			return key, true
		}
	}
	return "", false
}

func (p *Program) relKeys(f *Func, keys []string) []string {
	var out []string
	for _, k := range keys {
		if rel, ok := p.relKey(f, k); ok {
			out = append(out, rel)
		}
	}
	return out
}

// mapKey turns a relative key into the caller's, given the receiver's key
// in the call.
func mapKey(rel, recvKey string) (string, bool) {
	if !strings.HasPrefix(rel, "$") {
		return rel, true
	}
	if recvKey == "" {
		return "", false
	}
	return recvKey + rel[1:], true
}

// MapKey is mapKey for the analyzers.
func MapKey(rel, recvKey string) (string, bool) { return mapKey(rel, recvKey) }

func merge(a, b state) state {
	switch {
	case !a.reached:
		return b
	case !b.reached:
		return a
	}
	var held []Held
	for _, h := range a.Held {
		if g, ok := b.IsHeld(h.Key); ok {
			h.Deferred = h.Deferred && g.Deferred
			held = append(held, h)
		}
	}
	freed := slices.Clone(a.Freed)
	for _, k := range b.Freed {
		freed = withKey(freed, k)
	}
	return state{reached: true, Point: Point{Held: held, Released: a.Released || b.Released, Freed: freed}}
}

func equal(a, b state) bool {
	if a.reached != b.reached || a.Released != b.Released || !slices.Equal(a.Freed, b.Freed) || len(a.Held) != len(b.Held) {
		return false
	}
	for i := range a.Held {
		if a.Held[i].Key != b.Held[i].Key || a.Held[i].Deferred != b.Held[i].Deferred {
			return false
		}
	}
	return true
}

// withHeld returns a new sorted slice with h added.
func withHeld(held []Held, h Held) []Held {
	out := append(slices.Clone(held), h)
	slices.SortFunc(out, func(a, b Held) int { return strings.Compare(a.Key, b.Key) })
	return out
}

func withoutHeld(held []Held, key string) []Held {
	return slices.DeleteFunc(slices.Clone(held), func(h Held) bool { return h.Key == key })
}

// withKey returns a new sorted slice with key added, if it is not there.
func withKey(keys []string, key string) []string {
	if slices.Contains(keys, key) {
		return keys
	}
	out := append(slices.Clone(keys), key)
	slices.Sort(out)
	return out
}

// paramGuarded returns a function that reports whether pos, in f's body,
// is inside an if, switch or select branch whose condition reads one of
// f's parameters (other than the receiver).
func (p *Program) paramGuarded(f *Func) func(token.Pos) bool {
	params := map[*types.Var]bool{}
	if f.Obj != nil {
		for v := range f.Obj.Type().(*types.Signature).Params().Variables() {
			params[v] = true
		}
	}
	if len(params) == 0 {
		return func(token.Pos) bool { return false }
	}
	readsParam := func(nodes ...ast.Node) bool {
		found := false
		for _, n := range nodes {
			if n == nil {
				continue
			}
			ast.Inspect(n, func(m ast.Node) bool {
				if id, ok := m.(*ast.Ident); ok {
					if v, ok := p.info.Uses[id].(*types.Var); ok && params[v] {
						found = true
					}
				}
				return !found
			})
		}
		return found
	}
	// The spans of the branches whose condition reads a parameter.
	type span struct{ from, to token.Pos }
	var spans []span
	ast.Inspect(f.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.BlockStmt:
			// if async { ...; return } guards the rest of the block too.
			for _, st := range n.List {
				if is, ok := st.(*ast.IfStmt); ok && readsParam(is.Init, is.Cond) && returns(is.Body) {
					spans = append(spans, span{is.End(), n.End()})
				}
			}
		case *ast.IfStmt:
			if readsParam(n.Init, n.Cond) {
				spans = append(spans, span{n.Body.Pos(), n.End()})
			}
		case *ast.SwitchStmt:
			if readsParam(n.Init, n.Tag) {
				spans = append(spans, span{n.Body.Pos(), n.End()})
			} else {
				for _, c := range n.Body.List {
					cc := c.(*ast.CaseClause)
					for _, e := range cc.List {
						if readsParam(e) {
							spans = append(spans, span{cc.Colon, cc.End()})
						}
					}
				}
			}
		}
		return true
	})
	return func(pos token.Pos) bool {
		for _, s := range spans {
			if pos >= s.from && pos < s.to {
				return true
			}
		}
		return false
	}
}

// returns reports whether a block ends in a return.
func returns(b *ast.BlockStmt) bool {
	if len(b.List) == 0 {
		return false
	}
	_, ok := b.List[len(b.List)-1].(*ast.ReturnStmt)
	return ok
}
