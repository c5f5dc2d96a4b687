// Package schedule reads a fuzzer's input as a test's fault schedule: the
// source of every random choice the network and the harness make (which
// call is dropped, each delay, which server crashes or is cut off, and
// when), so that go test -fuzz's coverage guidance steers toward
// schedules that make the code under test do something new.
//
// # Usage
//
//	s := schedule.New(input)
//	net := labrpc.NewNetworkSource(func(string) rand.Source { return s })
//	rng := rand.New(s)
//	seed := s.Seed() // the test's seed, for the student's math/rand
//
// # Guarantees
//
//   - Each draw takes the input's next byte, which decides the bits that
//     IntN and Float64 read: byte b makes a Float64 of about b/256 and an
//     IntN(n) of about b*n/256 (of b mod n when n is a power of two).
//   - Once the input is used up, draws come from a generator seeded with
//     the input's hash: the same input gives the same draws, so a failing
//     input that go test saves replays its fault schedule.
//   - It is safe for concurrent use: one schedule serves the network and
//     the harness, which draw from it in turn.
//
// # Why this is a package of its own
//
// A schedule is a rand.Source made of bytes, and needs nothing of the
// harness; labtest's fuzz.go is its face, Fuzz, which runs a scenario on
// one, as sweep runs a scenario on many seeds.
package schedule
