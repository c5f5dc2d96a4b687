// Package broken is a key/value service with flaws that can be switched on
// one at a time, built on the reference Raft, for the tests that pin the
// words of kvtest's verdicts: each flaw is a classic lab 5 mistake, and
// its test checks that the verdict names it.
package broken
