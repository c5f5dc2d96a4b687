package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRunAllReportsEveryStepAndCounts(t *testing.T) {
	var out bytes.Buffer
	st := &selftest{out: &out}
	ok := st.runAll([]step{
		{"good", func() (string, error) { return "", nil }},
		{"bad", func() (string, error) { return "line 1\nline 2", errors.New("it broke") }},
		{"absent", func() (string, error) { return "not there yet", errSkipped }},
	})

	assert.False(t, ok)
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	assert.Regexp(t, `^pass  good  \d+\.\ds$`, lines[0])
	assert.Regexp(t, `^FAIL  bad  \d+\.\ds$`, lines[1])
	assert.Equal(t, []string{"      line 1", "      line 2", "      it broke"}, lines[2:5])
	assert.Equal(t, "skip  absent  (not there yet)", lines[5])
	assert.Equal(t, "1 passed, 1 failed", lines[len(lines)-1])
}

func TestLastLines(t *testing.T) {
	assert.Equal(t, "a\nb", lastLines("a\nb", 2))
	assert.Equal(t, "... (1 earlier lines not shown)\nb\nc", lastLines("a\nb\nc", 2))
}
