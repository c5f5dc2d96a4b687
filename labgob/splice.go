package labgob

import (
	"bytes"
	"reflect"
)

// A message whose interface values hold a struct (lab 5's commands, in the
// entries of an AppendEntries) is where a fresh encoder costs most: gob
// writes the definition of the struct's type at the first interface that
// holds one, and a fresh encoder must build that definition, and all of
// the message type's, again for every message. It writes:
//
//	the message type's definitions
//	one message: the value up to and including the first interface's
//	    type name, then the held type's definition
//	the definitions of the types inside the held type, a message each
//	one message: the rest of the value
//
// An encoder that has already sent every one of those definitions writes
// the same value as a single message, byte for byte the same as the two
// value parts above put together (type ids are a process's own, the same
// in every encoder). So, given where the first interface's type name ends
// in the kept encoder's message, the fresh encoder's bytes are the kept
// encoder's, cut there, with the definitions in between: the splice.
//
// Where the name ends is found without reading gob's encoding: the kept
// encoder writes the value a second time, with that one interface holding
// a marker of a predefined type instead (a copy of only what leads to it,
// with what comes after it left zero, which gob writes in few bytes). The
// two messages are equal up to the interface's type name, which differs in
// its length, its first byte. The definitions in between are taken from a
// fresh encoder's bytes of the first such message, which are also checked
// to have exactly the shape above.
//
// A splice is made only for a message with one type held in its
// interfaces, that type holding no interface itself and not encoding
// itself, reached through struct fields, slice and array elements and
// pointers, not through a map (whose order gob does not fix) or another
// interface. The first few splices of each held type are also checked
// against a fresh encoder's bytes. Anything else gets a fresh encoder.

// inlineScan is what scanInline found in a value: the one type gob defines
// inside it, if any, and the path to the first interface that holds it.
type inlineScan struct {
	held reflect.Type
	path []int // field or element indexes from the value; -1 follows a pointer
	// spliceable is false if the value holds an interface that needs a
	// definition but cannot be spliced (see above).
	spliceable bool
}

// scanInline looks for the interfaces in v whose dynamic types gob would
// define inside the value.
func scanInline(v reflect.Value) inlineScan {
	s := inlineScan{spliceable: true}
	var path []int
	var walk func(v reflect.Value)
	// fields walks the struct v's fields that can hold interfaces.
	fields := func(v reflect.Value, fields []int) {
		for _, i := range fields {
			path = append(path, i)
			walk(v.Field(i))
			path = path[:len(path)-1]
		}
	}
	walk = func(v reflect.Value) {
		if !s.spliceable {
			return
		}
		switch v.Kind() {
		case reflect.Interface:
			if v.IsNil() {
				return
			}
			held := v.Elem().Type()
			if held == s.held || factsOf(held).predefined {
				return
			}
			if s.held != nil {
				s.spliceable = false // a second type
				return
			}
			f := factsOf(held)
			if f.interfaces || f.ownCode || v.Type().NumMethod() > 0 {
				s.spliceable = false
				return
			}
			s.held, s.path = held, append([]int(nil), path...)
		case reflect.Pointer:
			if !v.IsNil() {
				path = append(path, -1)
				walk(v.Elem())
				path = path[:len(path)-1]
			}
		case reflect.Struct:
			fields(v, factsOf(v.Type()).fields)
		case reflect.Slice, reflect.Array:
			elem := factsOf(v.Type().Elem())
			if !elem.interfaces {
				return
			}
			for i := range v.Len() {
				path = append(path, i)
				if e := v.Index(i); e.Kind() == reflect.Struct { // a log's entries: look the fields up once
					fields(e, elem.fields)
				} else {
					walk(e)
				}
				path = path[:len(path)-1]
			}
		case reflect.Map:
			if !noDefinitionsInside(v) {
				s.spliceable = false
			}
		}
	}
	walk(v)
	return s
}

// withMarker returns a copy of v in which the interface at path holds
// marker, and what gob writes after it is zero: what comes before the
// interface is v's, and only what leads to the interface is copied. v is
// not changed.
func withMarker(v reflect.Value, path []int, marker reflect.Value) reflect.Value {
	if len(path) == 0 {
		c := reflect.New(v.Type()).Elem() // the interface itself
		c.Set(marker)
		return c
	}
	step, rest := path[0], path[1:]
	switch v.Kind() {
	case reflect.Pointer:
		c := reflect.New(v.Type().Elem())
		c.Elem().Set(withMarker(v.Elem(), rest, marker))
		return c
	case reflect.Struct:
		c := reflect.New(v.Type()).Elem()
		for i := range step {
			if v.Type().Field(i).IsExported() {
				c.Field(i).Set(v.Field(i))
			}
		}
		c.Field(step).Set(withMarker(v.Field(step), rest, marker))
		return c
	case reflect.Array:
		c := reflect.New(v.Type()).Elem()
		for i := range step {
			c.Index(i).Set(v.Index(i))
		}
		c.Index(step).Set(withMarker(v.Index(step), rest, marker))
		return c
	case reflect.Slice:
		c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		reflect.Copy(c, v.Slice(0, step))
		c.Index(step).Set(withMarker(v.Index(step), rest, marker))
		return c
	}
	panic("labgob: withMarker: a path through a " + v.Kind().String())
}

// markers are the values of predefined types withMarker puts in the
// interface, two whose type names differ in length: a held type's name
// differs in length from one of them.
var markers = [2]reflect.Value{reflect.ValueOf(any(0)), reflect.ValueOf(any(false))} // "int", "bool"

// A recipe is how to splice the messages of one message type whose
// interfaces hold one type.
type recipe struct {
	broken  bool   // the bytes did not have the expected shape: use a fresh encoder
	plain   bool   // no definition inside: the kept message is the value (the held type is also a field's)
	name    []byte // the held type's name as gob writes it, its length first
	marker  reflect.Value
	inside  []byte // what the first value message carries after the name: the held type's definition
	between []byte // the definitions of the types inside it, whole messages
	checked int    // splices compared with a fresh encoder's bytes so far
}

// spliceChecks is how many splices of each recipe are compared with a fresh
// encoder's bytes.
const spliceChecks = 3

// splice encodes v, a value of te's type whose interfaces hold one type
// that gob defines inside the value (scan), as a fresh encoder would.
// te.mu is held.
func (te *typeEncoder) splice(v any, scan inlineScan) ([]byte, error) {
	r := te.recipes[scan.held]
	if te.enc == nil || r == nil {
		return te.learn(v, scan)
	}
	if r.broken {
		return encodeFresh(v)
	}
	value, ok := te.valueMessage(v)
	if !ok {
		te.drop()
		return encodeFresh(v)
	}
	data := make([]byte, 0, len(te.defs)+len(value)+len(r.inside)+len(r.between)+2*maxUintLen)
	data = append(data, te.defs...)
	if r.plain {
		data = appendFrame(data, value, nil)
	} else {
		te.value = append(te.value[:0], value...) // the next encoding reuses te.buf
		value = te.value
		marked, ok := te.valueMessage(withMarker(reflect.ValueOf(v), scan.path, r.marker).Interface())
		if !ok {
			te.drop()
			return encodeFresh(v)
		}
		at := firstDifference(value, marked)
		end := at + len(r.name)
		if end > len(value) || !bytes.Equal(value[at:end], r.name) {
			r.broken = true
			return encodeFresh(v)
		}
		data = appendFrame(data, value[:end], r.inside)
		data = append(data, r.between...)
		data = appendFrame(data, value[end:], nil)
	}
	if r.checked < spliceChecks {
		r.checked++
		if want, err := encodeFresh(v); err != nil || !bytes.Equal(data, want) {
			r.broken = true
			return want, err
		}
	}
	if len(data) >= largeMessage {
		te.drop()
	}
	return data, nil
}

// learn encodes v with a fresh encoder and works out, from those bytes and
// the kept encoder's, the recipe for v's held type. It sets up the kept
// encoder if there is none.
func (te *typeEncoder) learn(v any, scan inlineScan) ([]byte, error) {
	fresh, err := encodeFresh(v)
	if err != nil || len(fresh) >= largeMessage {
		return fresh, err
	}
	r := &recipe{broken: true}
	defer func() {
		if te.enc != nil {
			if te.recipes == nil {
				te.recipes = map[reflect.Type]*recipe{}
			}
			te.recipes[scan.held] = r
		}
	}()
	if te.enc == nil {
		// The kept encoder's first message is a fresh encoder's.
		if _, err := te.encode(v); err != nil || te.enc == nil {
			return fresh, nil
		}
	} else if _, ok := te.encodeOnce(v); !ok { // sends the held type's definitions
		te.drop()
		return fresh, nil
	}
	value, ok := te.valueMessage(v)
	if !ok || !bytes.HasPrefix(fresh, te.defs) {
		te.drop()
		return fresh, nil
	}
	value = bytes.Clone(value) // the markers' encodings reuse te.buf
	messages, ok := splitMessages(fresh[len(te.defs):])
	if !ok {
		return fresh, nil
	}
	if len(messages) == 1 {
		r.plain = bytes.Equal(messages[0].body, value)
		r.broken = !r.plain
		return fresh, nil
	}
	// Where the held type's name starts: the first byte at which the value
	// differs from both marked copies (a name differs in length from one
	// of the markers' names, and equals neither).
	at := len(value)
	var lengths [2]int
	for i, m := range markers {
		marked, ok := te.valueMessage(withMarker(reflect.ValueOf(v), scan.path, m).Interface())
		if !ok {
			te.drop()
			return fresh, nil
		}
		lengths[i] = len(m.Type().String())
		at = min(at, firstDifference(value, marked))
	}
	if at >= len(value) || value[at] >= 0x80 {
		return fresh, nil
	}
	nameLen := int(value[at])
	end := at + 1 + nameLen
	first, last := messages[0].body, messages[len(messages)-1].body
	if end > len(value) || !bytes.HasPrefix(first, value[:end]) || !bytes.Equal(last, value[end:]) {
		return fresh, nil
	}
	r.name = bytes.Clone(value[at:end])
	r.marker = markers[0]
	if nameLen == lengths[0] {
		r.marker = markers[1]
	}
	r.inside = bytes.Clone(first[end:])
	for _, m := range messages[1 : len(messages)-1] {
		r.between = append(r.between, m.whole...)
	}
	r.broken = false
	return fresh, nil
}

// valueMessage encodes v with te's kept encoder, which has sent every
// definition v needs, and returns the message's body: the type id and
// the value. ok is false if the encoder wrote anything else.
func (te *typeEncoder) valueMessage(v any) (body []byte, ok bool) {
	out, ok := te.encodeOnce(v)
	if !ok {
		return nil, false
	}
	whole, body, ok := nextMessage(out)
	if !ok || len(whole) != len(out) {
		return nil, false
	}
	if value, _ := isValue(body); !value { // a definition
		return nil, false
	}
	return body, true
}

// encodeOnce encodes v with te's kept encoder and returns what it wrote,
// in te.buf: valid until the next encoding.
func (te *typeEncoder) encodeOnce(v any) ([]byte, bool) {
	te.buf.Reset()
	if err := te.enc.Encode(v); err != nil {
		return nil, false
	}
	return te.buf.Bytes(), true
}

// A gobMessage is one message of a gob stream.
type gobMessage struct{ whole, body []byte }

// splitMessages splits a gob stream into its messages.
func splitMessages(data []byte) ([]gobMessage, bool) {
	var messages []gobMessage
	for len(data) > 0 {
		whole, body, ok := nextMessage(data)
		if !ok {
			return nil, false
		}
		messages = append(messages, gobMessage{whole: whole, body: body})
		data = data[len(whole):]
	}
	return messages, true
}

// firstDifference returns the index of the first byte at which a and b
// differ, or the shorter one's length.
func firstDifference(a, b []byte) int {
	n := min(len(a), len(b))
	for i := range n {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}

// maxUintLen is the most bytes one of gob's unsigned integers takes.
const maxUintLen = 9

// appendFrame appends to data one message whose body is a followed by b:
// its length, as gob writes it, then the body.
func appendFrame(data, a, b []byte) []byte {
	data = appendUint(data, uint64(len(a)+len(b)))
	return append(append(data, a...), b...)
}

// appendUint appends x as gob writes an unsigned integer: a value under
// 128 as a byte of its own, a larger one as the negated count of the
// bytes that follow, then those bytes, big-endian.
func appendUint(data []byte, x uint64) []byte {
	if x < 0x80 {
		return append(data, byte(x))
	}
	var b [8]byte
	n := 0
	for y := x; y > 0; y >>= 8 {
		n++
	}
	for i := range n {
		b[i] = byte(x >> (8 * (n - 1 - i)))
	}
	data = append(data, byte(-int8(n)))
	return append(data, b[:n]...)
}
