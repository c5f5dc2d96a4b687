package schedule

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestScheduleBytesDecideTheDraws(t *testing.T) {
	r := rand.New(New([]byte{0, 255, 26, 128, 6}))
	assert.Less(t, r.Float64(), 1.0/256, "byte 0: a draw under 0.1, a dropped call")
	assert.GreaterOrEqual(t, r.Float64(), 255.0/256)
	assert.InDelta(t, 26.0/256, r.Float64(), 1.0/256)
	assert.Equal(t, 1, r.IntN(3), "byte 128 of 256: the middle of IntN's range")
	assert.Equal(t, 2, r.IntN(4), "a power of two: byte 6 mod 4")
}

func TestScheduleGoesOnFromItsHash(t *testing.T) {
	draws := func(input string) []uint64 {
		s := New([]byte(input))
		var out []uint64
		for range 10 {
			out = append(out, s.Uint64())
		}
		return out
	}
	assert.Equal(t, draws("ab"), draws("ab"), "the same input, the same draws, past its end")
	assert.NotEqual(t, draws("ab")[5:], draws("ac")[5:], "another input, other draws past its end")
	assert.NotZero(t, New(nil).Seed(), "the empty input has a seed too")
}
