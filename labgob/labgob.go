package labgob

import (
	"encoding/gob"
	"fmt"
	"io"
	"os"
	"reflect"
	"sync"
	"unicode"
	"unicode/utf8"
)

// LabEncoder writes gob-encoded values, checking each type it meets.
type LabEncoder struct {
	gob *gob.Encoder
}

// NewEncoder returns an encoder that writes to w.
func NewEncoder(w io.Writer) *LabEncoder {
	return &LabEncoder{gob: gob.NewEncoder(w)}
}

// Encode writes v, after reporting any lower-case field in its type.
func (e *LabEncoder) Encode(v any) error {
	checkType(reflect.TypeOf(v))
	return e.gob.Encode(v)
}

// EncodeValue is Encode for a reflect.Value.
func (e *LabEncoder) EncodeValue(v reflect.Value) error {
	checkType(v.Type())
	return e.gob.EncodeValue(v)
}

// LabDecoder reads gob-encoded values, checking each type it meets.
type LabDecoder struct {
	gob *gob.Decoder
}

// NewDecoder returns a decoder that reads from r.
func NewDecoder(r io.Reader) *LabDecoder {
	return &LabDecoder{gob: gob.NewDecoder(r)}
}

// Decode reads the next value into v, which must be a pointer. It reports a
// lower-case field in v's type and a v that is not the zero value.
func (d *LabDecoder) Decode(v any) error {
	checkType(reflect.TypeOf(v))
	checkZero(v)
	return d.gob.Decode(v)
}

// Register records a concrete type that may travel inside an interface
// value (a log entry's Command, say), as gob.Register does.
func Register(v any) {
	checkType(reflect.TypeOf(v))
	gob.Register(v)
}

// RegisterName is gob.RegisterName with the same checks as Register.
func RegisterName(name string, v any) {
	checkType(reflect.TypeOf(v))
	gob.RegisterName(name, v)
}

// Problems returns every distinct problem reported so far in this process,
// in the order they were first seen.
func Problems() []string {
	mu.Lock()
	defer mu.Unlock()
	return append([]string(nil), problems...)
}

var (
	mu       sync.Mutex
	checked  = map[reflect.Type]bool{}
	reported = map[string]bool{}
	problems []string
)

// report prints a problem once and records it.
func report(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	mu.Lock()
	defer mu.Unlock()
	if reported[msg] {
		return
	}
	reported[msg] = true
	problems = append(problems, msg)
	fmt.Fprintf(os.Stderr, "\n*** labgob: %s ***\n\n", msg)
}

// checkType reports lower-case fields in t and in every type reachable
// from it. Each type is walked once per process.
func checkType(t reflect.Type) {
	if t == nil {
		return
	}
	mu.Lock()
	if checked[t] {
		mu.Unlock()
		return
	}
	checked[t] = true
	mu.Unlock()

	switch t.Kind() {
	case reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			r, _ := utf8.DecodeRuneInString(f.Name)
			if !unicode.IsUpper(r) {
				report("%s.%s starts with a lower-case letter, so gob will not send or save it: "+
					"capitalize the field (RPC arguments, replies and persisted state need upper-case field names)",
					t.String(), f.Name)
			}
			checkType(f.Type)
		}
	case reflect.Pointer, reflect.Slice, reflect.Array:
		checkType(t.Elem())
	case reflect.Map:
		checkType(t.Key())
		checkType(t.Elem())
	}
}

// checkZero reports a decode target that already holds data.
func checkZero(v any) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return // gob itself returns an error for these
	}
	elem := rv.Elem()
	if !elem.IsZero() {
		report("decoding into a %s that is not zero (%s): gob does not send zero values, so old data "+
			"can survive the decode; decode into a fresh variable (for an RPC, a new reply for every Call)",
			elem.Type().String(), describe(elem))
	}
}

// describe names the first non-zero field of v, as evidence.
func describe(v reflect.Value) string {
	if v.Kind() == reflect.Struct {
		for i := range v.NumField() {
			if f := v.Field(i); f.CanInterface() && !f.IsZero() {
				return fmt.Sprintf("%s = %v", v.Type().Field(i).Name, f.Interface())
			}
		}
	}
	if v.CanInterface() {
		return fmt.Sprintf("value %v", v.Interface())
	}
	return "value is set"
}
