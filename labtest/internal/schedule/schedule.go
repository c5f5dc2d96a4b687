package schedule

import (
	"bytes"
	"hash/fnv"
	"math/rand/v2"
	"sync"
)

// A Schedule is a fuzzer's input read as the source of every random
// choice of one test: each draw takes the input's next byte, which decides
// the bits that IntN and Float64 read, so that byte b makes a Float64 of
// about b/256 (a call is dropped when it is under 0.1: b < 26) and an
// IntN(n) of about b*n/256 (of b mod n when n is a power of two). Once the input is
// used up, draws come from a generator seeded with the input's hash. One
// schedule serves the network and the harness, which draw from it in turn.
type Schedule struct {
	seed int64 // the input's hash, never 0: the test's seed

	mu   sync.Mutex
	data []byte
	next int
	rest *rand.PCG
}

// New returns the schedule of a fuzzer's input.
func New(input []byte) *Schedule {
	h := fnv.New64a()
	h.Write(input)
	seed := int64(h.Sum64() >> 1)
	if seed == 0 {
		seed = 1
	}
	return &Schedule{seed: seed, data: bytes.Clone(input), rest: rand.NewPCG(uint64(seed), 0x5eed)}
}

// Seed returns the input's hash, never 0: the seed of the test that runs
// on this schedule, from which the student's math/rand is seeded too.
func (s *Schedule) Seed() int64 { return s.seed }

// Uint64 returns the schedule's next draw. It is safe for concurrent use.
func (s *Schedule) Uint64() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	low := s.rest.Uint64()
	if s.next >= len(s.data) {
		return low
	}
	b := uint64(s.data[s.next])
	s.next++
	// IntN(n) reads the top bits, or for n a power of two the lowest;
	// Float64 the low 53 bits, of which bits 45-52 are the top byte.
	const floatTop = 45
	low &^= 0xff<<56 | 0xff<<floatTop | 0xff
	return b<<56 | b<<floatTop | low | b
}
