package labgob

import (
	"fmt"
	"reflect"
	"runtime"
	"strings"
)

// checkZero reports a decode target that already holds data, naming the
// function that decoded into it. gob writes only what the sender sent, and
// a sender omits a struct's zero fields: a reply reused across Calls keeps
// a field the second sender left zero, and that is a warning. A number, a
// string, or a slice whose elements hold nothing is overwritten whole:
// MIT's labgob warns about it too, but it loses nothing, so it is only a
// notice, printed and not returned by WarningsSince.
func checkZero(v any) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return // gob itself returns an error for these
	}
	elem := rv.Elem()
	if elem.IsZero() {
		return
	}
	where := decodingFunction()
	target := withArticle(elem.Type().String())
	key := "decode " + elem.Type().String() + " in " + where
	mu.Lock()
	defer mu.Unlock()
	if keepsOldData(elem) {
		recordLocked(warning, key, fmt.Sprintf("decoding into %s that is not zero (%s) in %s: gob does not "+
			"send zero fields, so a field the sender left zero keeps its old value here; decode into a fresh "+
			"variable (for an RPC, a new reply for every Call)", target, describe(elem), where))
		return
	}
	recordLocked(notice, key, fmt.Sprintf("decoding into %s that is not zero (%s) in %s: harmless here, "+
		"since gob overwrites all of it; a struct that held data would keep the fields the sender left zero",
		target, describe(elem), where))
}

// keepsOldData reports whether some of v could outlive a gob decode into
// it: a field of a struct (gob skips what the sender left zero), an entry
// of a map (gob adds to a map), and such data in the elements of a slice or
// array or behind a pointer (gob decodes into them in place).
func keepsOldData(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Struct:
		return !v.IsZero()
	case reflect.Map:
		return v.Len() > 0
	case reflect.Pointer:
		return !v.IsNil() && keepsOldData(v.Elem())
	case reflect.Slice:
		v = v.Slice3(0, v.Cap(), v.Cap()) // gob reuses the whole backing array
		fallthrough
	case reflect.Array:
		for i := range v.Len() {
			if keepsOldData(v.Index(i)) {
				return true
			}
		}
	}
	return false
}

// decodingFunction names the first function on the stack outside labgob
// and labrpc: the student's readPersist, or the function that called
// labrpc's Call for a reply ("Raft.sendAppendEntries").
func decodingFunction() string {
	pcs := make([]uintptr, 32)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(2, pcs)])
	for {
		f, more := frames.Next()
		name := f.Function
		if i := strings.LastIndex(name, "/"); i >= 0 {
			name = name[i+1:]
		}
		pkg, fn, _ := strings.Cut(name, ".")
		if pkg != "labgob" && pkg != "labrpc" && fn != "" {
			return strings.NewReplacer("(*", "", ")", "").Replace(fn)
		}
		if !more {
			return "an unknown function"
		}
	}
}

// describe names the first data in v, as evidence.
func describe(v reflect.Value) string {
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			if f := v.Field(i); f.CanInterface() && !f.IsZero() {
				return fmt.Sprintf("%s = %s", v.Type().Field(i).Name, short(f))
			}
		}
		return "a field is set"
	case reflect.Slice, reflect.Map:
		return fmt.Sprintf("length %d", v.Len())
	}
	return "value " + short(v)
}

// short formats v in at most about 60 characters.
func short(v reflect.Value) string {
	if !v.CanInterface() {
		return "set"
	}
	s := fmt.Sprintf("%v", v.Interface())
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return s
}

// withArticle puts "a" or "an" before a type's name.
func withArticle(typeName string) string {
	if typeName != "" && strings.ContainsRune("aeiou", rune(typeName[0])) {
		return "an " + typeName
	}
	return "a " + typeName
}
