// Package labgob is encoding/gob with checks for the two mistakes that make
// Raft code lose data without an error: struct fields whose names start with
// a lower-case letter (gob silently skips them), and decoding into a value
// that is not zero (gob leaves fields the sender omitted, and it omits zero
// values, so stale data survives).
//
// labrpc uses it to copy every RPC's arguments and reply, and student code
// uses it to encode persistent state, exactly as with encoding/gob.
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
// Each distinct problem is printed once to standard error, loudly, and
// recorded; Problems returns the record, which the course's tests check at
// the end of every test so that a lower-case field fails the test that sent
// it instead of only scrolling past.
package labgob
