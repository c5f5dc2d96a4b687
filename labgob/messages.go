package labgob

import (
	"bytes"
	"encoding/gob"
	"errors"
	"reflect"
	"sync"
)

// Every RPC labrpc carries is a gob stream of its own, written by a fresh
// encoder (so that each message's size is what it would be alone on a
// wire): first the definitions of the types it uses, then the value. A
// fresh gob.Decoder compiles a decoding engine from those definitions
// before it reads the value, and that compiling is most of what decoding
// a small message costs, for labrpc, which decodes every message, and for
// the tests' harness, which reads a few fields of every RPC. Messages
// keeps one decoder per distinct set of type definitions (in practice, one
// per message type) and hands it only the values that follow: the same
// decoding, compiled once.

// Messages decodes messages, each a whole gob stream as a fresh Encoder
// writes one value, as a fresh Decoder would, and compiles the decoder of
// each message type once. The zero value is ready to use, and safe for
// concurrent use: it decodes one message at a time.
type Messages struct {
	// Checked makes Decode report, before decoding, what LabDecoder's
	// Decode reports: lower-case fields, and a value that is not zero.
	Checked bool

	mu       sync.Mutex
	decoders map[string]*messageDecoder  // by the stream's type definitions
	copiers  map[[2]reflect.Type]*copier // by source and target type (Copy)
}

// A messageDecoder is a gob.Decoder that has read one stream's type
// definitions, and reads each later value from src.
type messageDecoder struct {
	dec    *gob.Decoder
	src    swappableReader
	broken bool // it failed once: decode those messages with a fresh decoder
	inline bool // a message defined a type inside its value: Copy copies these
}

// largeMessage is the size from which a message gets a fresh decoder: a
// kept decoder keeps a buffer as large as the largest message it has read,
// and the tests that measure the memory a Raft frees must not see the
// network or the harness hold on to big messages, or let go of them.
const largeMessage = 64 << 10

// Decode decodes data, a whole gob stream, into target, as
// gob.NewDecoder(bytes.NewReader(data)).Decode(target) does.
func (m *Messages) Decode(data []byte, target any) error {
	if m.Checked {
		met(reflect.TypeOf(target))
		checkZero(target)
	}
	return m.decode(data, target)
}

// decode is Decode without the checks.
func (m *Messages) decode(data []byte, target any) error {
	fresh := func() error { return gob.NewDecoder(bytes.NewReader(data)).Decode(target) }
	defs, value, ok := splitTypeDefinitions(data)
	if !ok || len(data) > largeMessage {
		return fresh()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	d, seen := m.decoders[string(defs)]
	if seen && d.broken {
		return fresh()
	}
	if !seen {
		// The first message of its kind: the decoder reads the definitions.
		d = &messageDecoder{}
		d.dec = gob.NewDecoder(&d.src)
		if m.decoders == nil {
			m.decoders = map[string]*messageDecoder{}
		}
		m.decoders[string(defs)] = d
		value = data
	}
	d.src.Reset(value)
	err := d.dec.Decode(target)
	unread := d.src.Len()
	d.src.Reset(nil) // keep nothing of the message
	if err != nil && err.Error() == errDuplicateType {
		// The value carries the definition of a type this decoder has
		// read before: an interface holding a struct, such as lab 5's
		// commands in an AppendEntries, whose type every message defines
		// again. Gob checks for that before it reads the definition, so
		// the decoder is as it was, and only this message needs a fresh
		// decoder. What this attempt wrote into target, the fresh one
		// writes again: the same fields, from the same message.
		d.inline = true
		return fresh()
	}
	if err != nil || unread > 0 {
		// A value that does not fit target, or one that leaves bytes
		// unread: this decoder's state is no longer certain, so these
		// messages get fresh decoders from now on.
		d.broken = true
		return fresh()
	}
	return nil
}

// Copy decodes data into target as Decode does, where data is what a fresh
// Encoder wrote of src a moment ago (src has not changed since). Messages
// of a type that defines types inside its values (an interface holding a
// struct: lab 5's commands in an AppendEntries) each need a fresh decoder,
// which costs far more than the decoding; for those, Copy encodes src
// again into a stream kept for src's and target's types, in which each
// type is defined once, and decodes target from it: gob's copy of the
// same value, without compiling a decoder for each message. Anything that
// goes wrong there, and a large message, is decoded from data.
func (m *Messages) Copy(data []byte, src, target any) error {
	if m.Checked {
		met(reflect.TypeOf(target))
		checkZero(target)
	}
	to := reflect.ValueOf(target)
	if defs, _, ok := splitTypeDefinitions(data); ok && src != nil && len(data) <= largeMessage &&
		to.Kind() == reflect.Pointer && !to.IsNil() {
		m.mu.Lock()
		d := m.decoders[string(defs)]
		inline := d != nil && d.inline
		m.mu.Unlock()
		if inline && m.copy(src, target) == nil {
			return nil
		}
	}
	return m.decode(data, target)
}

// A copier is a gob stream from an Encoder to a Decoder, kept for one
// pair of types: each value Copy puts in, it takes out at once.
type copier struct {
	enc    *gob.Encoder
	dec    *gob.Decoder
	buf    bytes.Buffer
	broken bool
}

// copy copies src into target through the copier of their types; an error
// leaves target zero, and the copier unused from then on.
func (m *Messages) copy(src, target any) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	key := [2]reflect.Type{reflect.TypeOf(src), reflect.TypeOf(target)}
	c := m.copiers[key]
	if c == nil {
		c = &copier{}
		c.enc, c.dec = gob.NewEncoder(&c.buf), gob.NewDecoder(&c.buf)
		if m.copiers == nil {
			m.copiers = map[[2]reflect.Type]*copier{}
		}
		m.copiers[key] = c
	}
	if c.broken {
		return errBrokenCopier
	}
	err := c.enc.Encode(src)
	if err == nil {
		err = c.dec.Decode(target)
	}
	if err == nil && c.buf.Len() > 0 {
		err = errBrokenCopier // bytes left unread: the stream is no longer certain
	}
	if c.buf.Cap() > 2*largeMessage {
		c.buf = bytes.Buffer{} // keep no large buffer (see largeMessage)
	}
	if err != nil {
		c.broken = true
		reflect.ValueOf(target).Elem().SetZero()
	}
	return err
}

var errBrokenCopier = errors.New("labgob: the copier's stream failed once")

// errDuplicateType is the error of a gob.Decoder given the definition of a
// type it has already read (encoding/gob's recvType).
const errDuplicateType = "gob: duplicate type received"

// swappableReader reads from whichever message it was last reset to. It is
// an io.ByteReader, so a gob.Decoder reads from it directly and buffers
// nothing past the message it is decoding.
type swappableReader struct{ bytes.Reader }

// TypeDefinitions returns the type definitions that open data, a whole gob
// stream as a fresh Encoder writes one value. They are the same for every
// message of one Go type, so they can key what holds for all messages of a
// type. ok is false if data does not open with definitions.
func TypeDefinitions(data []byte) (defs []byte, ok bool) {
	defs, _, ok = splitTypeDefinitions(data)
	return defs, ok
}

// splitTypeDefinitions splits a gob stream into the type definitions that
// open it and the messages from the first value on. A message is its length
// (an unsigned integer) and then a type id (a signed integer): negative for
// the definition of type -id, positive for a value of type id.
func splitTypeDefinitions(data []byte) (defs, rest []byte, ok bool) {
	pos := 0
	for pos < len(data) {
		whole, body, ok := nextMessage(data[pos:])
		if !ok {
			return nil, nil, false
		}
		if value, ok := isValue(body); !ok {
			return nil, nil, false
		} else if value {
			return data[:pos], data[pos:], pos > 0
		}
		pos += len(whole)
	}
	return nil, nil, false
}

// nextMessage returns the first message of a gob stream, whole, and its
// body: what follows its length. ok is false if data does not start with
// a whole message.
func nextMessage(data []byte) (whole, body []byte, ok bool) {
	length, n, ok := gobUint(data)
	if !ok || length > uint64(len(data)-n) {
		return nil, nil, false
	}
	end := n + int(length)
	return data[:end], data[n:end], true
}

// isValue reports whether a message's body is a value (its type id, a
// signed integer, is positive) rather than the definition of a type. ok
// is false if the body does not start with an id.
func isValue(body []byte) (value, ok bool) {
	id, _, ok := gobUint(body)
	return ok && id&1 == 0, ok
}

// gobUint reads one of gob's unsigned integers: a value under 128 is a
// byte of its own; a larger one is the negated count of the bytes that
// follow, big-endian. It returns the value and the bytes it took.
func gobUint(b []byte) (uint64, int, bool) {
	if len(b) == 0 {
		return 0, 0, false
	}
	if b[0] < 0x80 {
		return uint64(b[0]), 1, true
	}
	count := int(-int8(b[0]))
	if count > 8 || len(b) < 1+count {
		return 0, 0, false
	}
	var v uint64
	for _, c := range b[1 : 1+count] {
		v = v<<8 | uint64(c)
	}
	return v, 1 + count, true
}
