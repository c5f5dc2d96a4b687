// Package labtrace records what happened in one test of the Raft labs, and
// reads and writes the record as a trace file: one JSON object per line,
// in the order things happened on the test's clock.
//
// The harness (package labtest) records every test as it runs: each RPC
// between servers with its method, sender, receiver, the Term of its
// arguments and reply, and its fate; crashes, restarts and every change of
// the network's shape; each server's role and term as the harness saw
// them; every entry and snapshot a server applied; the lines a student's
// code printed with package labdebug; and, last, the check that failed.
// The trace is written to a file when the test fails, or always with
// go test -savetrace (or RAFTLABS_TRACE=1), and the failure names the file.
// go run ./cmd/traceview turns a trace into a page or terminal columns.
//
// # The format
//
// Each line is a Record. Times are microseconds since the test began, on
// the test's clock (virtual unless the test ran with -realtime). Servers
// are named "s0", "s1", .... Fields that do not apply to a kind of record
// are left out. A trace begins with a "test" record and, when the test
// failed, ends with a "fail" record:
//
//	{"kind":"test","t":0,"test":"TestReElectionLab1","seed":8812,"clock":"virtual"}
//	{"kind":"boot","t":0,"servers":3}
//	{"kind":"start","t":12,"server":"s0","instance":1}
//	{"kind":"rpc","t":153112,"done":153112,"from":"s1","to":"s0","method":"RequestVote","fate":"delivered","argsTerm":1,"replyTerm":1,"ok":true,"bytes":93}
//	{"kind":"state","t":153112,"server":"s1","role":"candidate","term":1,"source":"RequestVote"}
//	{"kind":"network","t":1012000,"shape":"{s1 s2} | s0 cut off","groups":[["s1","s2"]]}
//	{"kind":"apply","t":2000100,"server":"s2","index":1,"command":"101"}
//	{"kind":"log","t":2000150,"server":"s2","topic":"APPLY","text":"applied 1"}
//	{"kind":"fail","t":6502000,"where":"lab1.go:40","property":"election safety","text":"term 4 has 2 leaders [s1 s3]"}
//
// # Usage
//
// A Recorder collects records in memory; WriteFile and ReadFile move them
// to and from a file:
//
//	rec := labtrace.NewRecorder(time.Now())
//	rec.Add(labtrace.Record{Kind: labtrace.Crash, Server: "s1"})
//	err := labtrace.WriteFile(path, rec.Records())
//	...
//	records, err := labtrace.ReadFile(path)
//
// # Guarantees
//
// A Recorder is safe for concurrent use and only ever locks its own mutex,
// so it may be read from outside a test's synctest bubble even when the
// test's clock has stopped. Once sealed (the test failed) it takes no new
// records, so a failed test's trace ends with its failure; calls in flight
// at that moment keep their place and still learn their fate.
package labtrace
