package kv

// Err is a server's answer to a clerk's request.
type Err string

const (
	OK             Err = "OK"
	ErrNoKey       Err = "ErrNoKey"       // Get of a key that has no value: the value is ""
	ErrWrongLeader Err = "ErrWrongLeader" // not the leader, or lost leadership before the entry committed
)

// Kind says what a request does.
type Kind int

const (
	GetOp Kind = iota
	PutOp
	AppendOp
)

// Request is a clerk's request, as the RPC carries it and as the command
// the server hands to Start. ClientID and Seq identify it across retries:
// the server applies each (ClientID, Seq) once.
type Request struct {
	Kind     Kind
	Key      string
	Value    string // Put's and Append's argument
	ClientID int64
	Seq      int64 // the clerk's request number, from 1, one more for each request
}

// Reply is a server's answer: Value is a Get's result.
type Reply struct {
	Err   Err
	Value string
}
