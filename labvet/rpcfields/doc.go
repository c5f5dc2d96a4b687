// Package rpcfields defines an Analyzer that reports lower-case
// (unexported) struct fields in the types a Raft sends through labrpc or
// encodes with labgob, nested and element types included.
//
// # Analyzer rpcfields
//
// rpcfields: report lower-case fields in RPC arguments, replies and labgob-encoded state
//
// The bug: labrpc copies every RPC's arguments and reply with gob, and
// persistence and snapshots are encoded with labgob, which is gob too. Gob
// sees only exported fields: a field whose name starts with a lower-case
// letter is silently left out. The receiver of RequestVoteArgs{term: 5}
// sees term 0; a log whose entries are LogEntry{term, command} is saved
// and restored empty. Nothing fails at the call; the servers just
// disagree, and at run time labgob prints a warning and the test fails
// ("labgob: raft.RequestVoteArgs.term starts with a lower-case letter").
//
// The fix: capitalize the field (Term, Command), in the type itself and in
// every type it contains.
//
// Reported are the fields of this package's struct types that reach gob:
// the types of the arguments and reply of every labrpc Call, of every RPC
// handler (an exported method with two pointer parameters to structs of
// the package and no results), and of every value passed to labgob's
// Encode or Decode, following struct fields, pointers, slices, arrays and
// maps. A type that encodes itself (GobEncode or MarshalBinary) is not
// looked into. Each field is reported once, at its declaration, with the
// chain that leads to it and where the type is sent.
package rpcfields
