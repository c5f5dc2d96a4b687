package labgob

import (
	"encoding"
	"encoding/gob"
	"fmt"
	"io"
	"os"
	"reflect"
	"slices"
	"sync"
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
	met(reflect.TypeOf(v))
	return e.gob.Encode(v)
}

// EncodeValue is Encode for a reflect.Value.
func (e *LabEncoder) EncodeValue(v reflect.Value) error {
	met(v.Type())
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
// lower-case field in v's type, and warns if v is not the zero value.
func (d *LabDecoder) Decode(v any) error {
	met(reflect.TypeOf(v))
	checkZero(v)
	return d.gob.Decode(v)
}

// Register records a concrete type that may travel inside an interface
// value (a log entry's Command, say), as gob.Register does. A lower-case
// field in it is reported at once, and again after every Mark in which a
// value with an interface in it travels.
func Register(v any) {
	registered(reflect.TypeOf(v))
	gob.Register(v)
}

// RegisterName is gob.RegisterName with the same checks as Register.
func RegisterName(name string, v any) {
	registered(reflect.TypeOf(v))
	gob.RegisterName(name, v)
}

// A Mark is a point in the codec's record: ProblemsSince and WarningsSince
// return what was met after it. A test takes one when it starts.
type Mark struct{ gen uint64 }

// NewMark returns a mark for now. From then on, a problem is recorded
// again the first time it is met, however often it was met before (in an
// init that registered or encoded a type before the test, say), so that
// each test is charged with what its own values carry.
func NewMark() Mark {
	mu.Lock()
	defer mu.Unlock()
	gen++
	return Mark{gen}
}

// ProblemsSince returns each distinct problem met since m, in the order
// first met: lower-case fields in the types encoded, decoded or carried
// inside an interface. Each one loses data.
func ProblemsSince(m Mark) []string {
	return since(m, problem)
}

// WarningsSince returns each distinct warning since m, in the order first
// met: decodes into a value whose old data could survive, because gob
// leaves a struct's field that the sender left zero as it was (a reply
// reused across Calls), each naming the function that decoded. A decode
// into a value gob overwrites whole (votedFor = -1 before readPersist's
// Decode) is printed to standard error, as MIT's labgob does, and is not a
// warning.
func WarningsSince(m Mark) []string {
	return since(m, warning)
}

type kind int

const (
	problem kind = iota // data lost: the test fails
	warning             // data may be lost: the test says so
	notice              // nothing lost: printed only
)

// A record is one problem or warning, met in generation gen.
type record struct {
	gen  uint64
	kind kind
	text string
}

var (
	mu       sync.Mutex
	gen      uint64                        // the current Mark's
	types    = map[reflect.Type]typeInfo{} // each type met, walked once
	registry []string                      // problems of the registered types
	records  []record                      // what was met, in order
	lastMet  = map[string]uint64{}         // a problem's or warning's key, to the last gen it was recorded in
)

// typeInfo is what a walk of a type found, kept for the next time.
type typeInfo struct {
	problems     []string // lower-case fields in it or in what it reaches
	hasInterface bool     // it reaches an interface, which may carry a registered type
}

// met records the problems of a type on its way through the codec.
func met(t reflect.Type) {
	if t == nil {
		return
	}
	mu.Lock()
	defer mu.Unlock()
	info, ok := types[t]
	if !ok {
		info = walk(t)
		types[t] = info
	}
	for _, p := range info.problems {
		recordLocked(problem, p, p)
	}
	if info.hasInterface {
		for _, p := range registry {
			recordLocked(problem, p, p)
		}
	}
}

// registered records a registered type's problems, now and for the values
// that may carry it inside an interface later.
func registered(t reflect.Type) {
	if t == nil {
		return
	}
	mu.Lock()
	defer mu.Unlock()
	info := walk(t)
	for _, p := range info.problems {
		if !slices.Contains(registry, p) {
			registry = append(registry, p)
		}
		recordLocked(problem, p, p)
	}
}

// recordLocked records text under key, once per generation, and prints it
// to standard error when it does. mu must be held.
func recordLocked(k kind, key, text string) {
	if last, ok := lastMet[key]; ok && last == gen {
		return
	}
	lastMet[key] = gen
	records = append(records, record{gen: gen, kind: k, text: text})
	prefix := "labgob"
	if k != problem {
		prefix = "labgob warning"
	}
	fmt.Fprintf(os.Stderr, "\n*** %s: %s ***\n\n", prefix, text)
}

// since returns the texts of kind k recorded since m.
func since(m Mark, k kind) []string {
	mu.Lock()
	defer mu.Unlock()
	var out []string
	for _, r := range records {
		if r.gen >= m.gen && r.kind == k {
			out = append(out, r.text)
		}
	}
	return out
}

// walk finds the lower-case fields in t and in every type reachable from
// it, and whether it reaches an interface.
func walk(t reflect.Type) typeInfo {
	var info typeInfo
	seen := map[reflect.Type]bool{}
	var visit func(t reflect.Type)
	visit = func(t reflect.Type) {
		if seen[t] || encodesItself(t) {
			return
		}
		seen[t] = true
		switch t.Kind() {
		case reflect.Struct:
			for i := range t.NumField() {
				f := t.Field(i)
				if !f.IsExported() {
					info.problems = append(info.problems, lowerCase(t, f.Name))
				}
				visit(f.Type)
			}
		case reflect.Pointer, reflect.Slice, reflect.Array:
			visit(t.Elem())
		case reflect.Map:
			visit(t.Key())
			visit(t.Elem())
		case reflect.Interface:
			info.hasInterface = true
		}
	}
	visit(t)
	return info
}

// encodesItself reports whether gob sends t through its own methods
// (GobEncode, MarshalBinary or MarshalText, as time.Time does) rather than
// field by field, so that its lower-case fields are its own business.
func encodesItself(t reflect.Type) bool {
	for _, u := range []reflect.Type{t, reflect.PointerTo(t)} {
		if u.Implements(gobEncoder) || u.Implements(binaryMarshaler) || u.Implements(textMarshaler) {
			return true
		}
	}
	return false
}

var (
	gobEncoder      = reflect.TypeFor[gob.GobEncoder]()
	binaryMarshaler = reflect.TypeFor[encoding.BinaryMarshaler]()
	textMarshaler   = reflect.TypeFor[encoding.TextMarshaler]()
)

// lowerCase is the problem of a field that gob skips.
func lowerCase(t reflect.Type, field string) string {
	return fmt.Sprintf("%s.%s starts with a lower-case letter, so gob will not send or save it: "+
		"capitalize the field (RPC arguments, replies and persisted state need upper-case field names)",
		t.String(), field)
}
