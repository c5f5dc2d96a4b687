// Package labgob is encoding/gob with checks for the two mistakes that make
// Raft code lose data without an error: struct fields whose names start with
// a lower-case letter (gob silently skips them), and decoding into a value
// that is not zero (gob leaves fields the sender omitted, and it omits zero
// values, so stale data survives).
//
// labrpc uses it to copy every RPC's arguments and reply, and student code
// uses it to encode persistent state, exactly as with encoding/gob.
// Messages (messages.go) decodes messages that are each a whole gob stream,
// as labrpc's are, as a fresh Decoder would, with each message type's
// decoder compiled once: labrpc and the tests' harness decode through it.
// Encoders (encoders.go) writes such messages, the bytes a fresh Encoder
// writes, with each message type's definitions built once, and a message
// whose commands gob defines inside it (lab 5's) spliced together from a
// kept encoder's bytes (splice.go): labrpc encodes through it.
//
// # Usage
//
//	w := new(bytes.Buffer)
//	e := labgob.NewEncoder(w)
//	e.Encode(rf.currentTerm)
//	e.Encode(rf.log)
//	persister.Save(w.Bytes(), nil)
//
// # Reports
//
// A lower-case field is a problem: it loses data. A decode into a value
// that is not zero is reported as in MIT's labgob, naming the function that
// decoded ("in Raft.readPersist"): as a warning if anything old can survive
// the decode (a reply reused across Calls), and as a line marked harmless
// if nothing can (a votedFor of -1, which gob overwrites).
//
// Each is printed to standard error, loudly. The course's tests take a
// Mark when a test starts and, at its end, fail the test for each problem
// ProblemsSince returns and add to its output each warning WarningsSince
// returns. A problem is recorded again in every test whose values carry the
// type: a type encoded or registered in an init, before the test started,
// is still charged to each test that sends or saves it.
package labgob
