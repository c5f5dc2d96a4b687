package labgob

import (
	"bytes"
	"encoding/gob"
	"reflect"
	"sync"
)

// Every RPC labrpc carries is written by a fresh encoder, so that each
// message's size is what it would be alone on a wire: first the definitions
// of the types it uses, then the value. Building and writing those
// definitions costs more than writing a small value. But they are the same
// for every message of one Go type, and what follows them is what an
// encoder that has already sent them writes, unless the value holds an
// interface whose dynamic type needs a definition of its own (gob writes
// that one in the middle of the value, the first time the type is met):
// lab 5's commands, structs inside a log entry's Command. Encoders keeps,
// per Go type, the definitions and such an encoder, and writes the same
// bytes as a fresh encoder with the definitions built once; a message
// whose interfaces hold a type gob defines inside it is spliced together
// from the kept encoder's bytes and that type's definitions (splice.go).
// A type that encodes itself (GobEncode and the like) gets a fresh
// encoder: its own code must not run under a lock that other messages
// wait for.

// Encoders encodes values each as a fresh LabEncoder writes it alone, and
// builds each type's definitions once. The zero value is ready to use, and
// safe for concurrent use.
type Encoders struct {
	mu    sync.Mutex
	types map[reflect.Type]*typeEncoder
}

// A typeEncoder encodes the values of one type: those that hold no
// interface needing a definition, and (splice.go) those whose interfaces
// hold one type that does.
type typeEncoder struct {
	mu      sync.Mutex
	defs    []byte       // what a fresh encoder writes before the value
	enc     *gob.Encoder // has written defs, into buf; nil until the first value
	buf     bytes.Buffer
	value   []byte                   // a copy of the last value message (splice)
	recipes map[reflect.Type]*recipe // by the type held in interfaces (splice.go)
}

// Encode returns what NewEncoder(w).Encode(v) writes into an empty w, and
// its error; it reports a lower-case field as that does.
func (e *Encoders) Encode(v any) ([]byte, error) {
	t := reflect.TypeOf(v)
	met(t)
	if t == nil || factsOf(t).ownCode {
		return encodeFresh(v)
	}
	scan := inlineScan{spliceable: true}
	if factsOf(t).interfaces {
		scan = scanInline(reflect.ValueOf(v))
	}
	if !scan.spliceable {
		return encodeFresh(v)
	}
	e.mu.Lock()
	te := e.types[t]
	if te == nil {
		te = &typeEncoder{}
		if e.types == nil {
			e.types = map[reflect.Type]*typeEncoder{}
		}
		e.types[t] = te
	}
	e.mu.Unlock()
	te.mu.Lock()
	defer te.mu.Unlock()
	if scan.held != nil {
		return te.splice(v, scan)
	}
	return te.encode(v)
}

// encode encodes v, a value of te's type that holds no interface needing
// a definition. te.mu is held.
func (te *typeEncoder) encode(v any) ([]byte, error) {
	te.buf.Reset()
	if te.enc == nil {
		// The first value: a fresh encoder writes the definitions and
		// the value; keep the encoder and what came before the value.
		// (te.enc is set only then: gob panics on a nil pointer.)
		enc := gob.NewEncoder(&te.buf)
		if err := enc.Encode(v); err != nil {
			te.drop()
			return encodeFresh(v) // the error, as a fresh encoder gives it
		}
		data := bytes.Clone(te.buf.Bytes())
		start, ok := valueStart(data)
		if !ok || len(data) >= largeMessage {
			te.drop()
			return data, nil
		}
		te.enc, te.defs = enc, data[:start:start]
		return data, nil
	}
	if err := te.enc.Encode(v); err != nil {
		te.drop()
		return encodeFresh(v)
	}
	data := make([]byte, 0, len(te.defs)+te.buf.Len())
	data = append(append(data, te.defs...), te.buf.Bytes()...)
	if te.buf.Len() >= largeMessage {
		// gob's encoder keeps a buffer as large as the largest value it
		// has written: see largeMessage.
		te.drop()
	}
	return data, nil
}

// drop forgets te's encoder: the next value starts again.
func (te *typeEncoder) drop() {
	te.enc, te.defs, te.buf, te.value, te.recipes = nil, nil, bytes.Buffer{}, nil, nil
}

// encodeFresh encodes v with an encoder of its own.
func encodeFresh(v any) ([]byte, error) {
	var buf bytes.Buffer
	err := gob.NewEncoder(&buf).Encode(v)
	return buf.Bytes(), err
}

// valueStart returns where the value begins in data, a gob stream as a
// fresh encoder writes one value: after the type definitions, if there are
// any.
func valueStart(data []byte) (int, bool) {
	if defs, _, ok := splitTypeDefinitions(data); ok {
		return len(defs), true
	}
	// No definitions: a value of a type gob predefines (an int, a string).
	if whole, body, ok := nextMessage(data); ok && len(whole) == len(data) {
		if value, _ := isValue(body); value {
			return 0, true
		}
	}
	return 0, false
}

// noDefinitionsInside reports whether v holds no interface value whose
// dynamic type gob would define inside the value. gob encodes exported
// struct fields only, so only those are looked into.
func noDefinitionsInside(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Interface:
		return v.IsNil() || factsOf(v.Elem().Type()).predefined
	case reflect.Pointer:
		return v.IsNil() || noDefinitionsInside(v.Elem())
	case reflect.Struct:
		return noDefinitionsInFields(v, factsOf(v.Type()).fields)
	case reflect.Slice, reflect.Array:
		elem := v.Type().Elem()
		elemFacts := factsOf(elem)
		if !elemFacts.interfaces {
			return true
		}
		if elem.Kind() == reflect.Struct { // a log's entries: look the fields up once
			for i := range v.Len() {
				if !noDefinitionsInFields(v.Index(i), elemFacts.fields) {
					return false
				}
			}
			return true
		}
		for i := range v.Len() {
			if !noDefinitionsInside(v.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Map:
		if !factsOf(v.Type().Key()).interfaces && !factsOf(v.Type().Elem()).interfaces {
			return true
		}
		for it := v.MapRange(); it.Next(); {
			if !noDefinitionsInside(it.Key()) || !noDefinitionsInside(it.Value()) {
				return false
			}
		}
		return true
	}
	return true
}

// noDefinitionsInFields is noDefinitionsInside for a struct v, looking
// into the fields given.
func noDefinitionsInFields(v reflect.Value, fields []int) bool {
	for _, i := range fields {
		if !noDefinitionsInside(v.Field(i)) {
			return false
		}
	}
	return true
}

// typeFacts is what Encoders needs to know of a type, found once.
type typeFacts struct {
	// predefined: gob sends a value of the type inside an interface
	// without defining the type: a value of a basic kind (pointers to one
	// included) or a []byte, which does not encode itself.
	predefined bool
	// ownCode: encoding a value of the type may call a method of the
	// value's own (GobEncode, MarshalBinary, MarshalText), code that could
	// block, perhaps on a lock its caller holds while it makes a Call.
	// Such values get a fresh encoder, which takes no lock that another
	// message of the type could be waiting for.
	ownCode bool
	// interfaces: a value of the type can hold an interface value that
	// gob encodes (in an exported field, an element, a key).
	interfaces bool
	// fields: for a struct, its exported fields that can.
	fields []int
}

// facts caches factsOf's answers.
var facts sync.Map // reflect.Type -> *typeFacts

// factsOf returns what Encoders needs to know of t.
func factsOf(t reflect.Type) *typeFacts {
	if f, ok := facts.Load(t); ok {
		return f.(*typeFacts)
	}
	isInterface := func(t reflect.Type) bool { return t.Kind() == reflect.Interface }
	f := &typeFacts{
		predefined: predefined(t),
		ownCode:    reaches(t, encodesItself),
		interfaces: reaches(t, isInterface),
	}
	if t.Kind() == reflect.Struct {
		for i := range t.NumField() {
			if field := t.Field(i); field.IsExported() && reaches(field.Type, isInterface) {
				f.fields = append(f.fields, i)
			}
		}
	}
	facts.Store(t, f)
	return f
}

// predefined is typeFacts.predefined, worked out.
func predefined(t reflect.Type) bool {
	if encodesItself(t) {
		return false
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128, reflect.String:
		return true
	case reflect.Slice:
		return t.Elem().Kind() == reflect.Uint8
	}
	return false
}

// reaches reports whether is holds for t or for a type gob encodes as part
// of a value of t: an exported field's, an element's, a key's.
func reaches(t reflect.Type, is func(reflect.Type) bool) bool {
	seen := map[reflect.Type]bool{}
	var walk func(t reflect.Type) bool
	walk = func(t reflect.Type) bool {
		if seen[t] {
			return false // met already, on this path or another: answered there
		}
		seen[t] = true
		if is(t) {
			return true
		}
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Array:
			return walk(t.Elem())
		case reflect.Map:
			return walk(t.Key()) || walk(t.Elem())
		case reflect.Struct:
			for i := range t.NumField() {
				if f := t.Field(i); f.IsExported() && walk(f.Type) {
					return true
				}
			}
		}
		return false
	}
	return walk(t)
}
