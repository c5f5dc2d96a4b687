// Package broken holds deliberately broken Rafts, one per way student code
// commonly goes wrong at run time, for the harness's own tests: each must
// get its documented verdict quickly, and the next test in the same binary
// must still run.
//
// Election is the one Raft here that works: a small, correct leader
// election whose random numbers are seeded from time.Now, as much student
// code does. The others break one rule each.
package broken
