// Package words writes servers, times and lists the same way in every
// message of the harness: "s3", "12.40s", "[s1 s3]", and an indented block
// of lines.
//
// # Usage
//
//	fmt.Sprintf("term %d has 2 leaders %s since %s", term, words.Servers(leaders), words.Seconds(at))
//
// Every machine of the harness (the leadership history, the watchdog, the
// trace) writes its evidence with these, so that a verdict reads the same
// whichever part of the harness found it. It is the floor the other
// packages stand on and imports nothing of the harness.
package words
