package stacks

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// parked waits until release is closed.
func parked(release chan struct{}) { <-release }

// TestFuncNameIsWhatDumpsShow pins what runner's ApplyUnderLock relies on:
// the name FuncName takes from a function is the one a goroutine dump
// shows in the frames of a goroutine running it.
func TestFuncNameIsWhatDumpsShow(t *testing.T) {
	release, done := make(chan struct{}), make(chan struct{})
	go func() { parked(release); close(done) }()
	defer func() { close(release); <-done }()
	name := FuncName(parked)
	assert.Equal(t, "raftlabs/labtest/internal/stacks.parked", name)
	found := false
	for deadline := time.Now().Add(5 * time.Second); !found && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		found = slices.ContainsFunc(All(), func(g Goroutine) bool { return g.Calls(name) })
	}
	assert.True(t, found, "no goroutine dump shows %s", name)
}

func TestScenarioLineSkipsTheHarness(t *testing.T) {
	// The machinery is never a scenario, not even in a _test.go file of
	// its own, and neither is the testing package: from here, no line.
	assert.Equal(t, "", ScenarioLine(nil))
	assert.True(t, isHarnessFunction("raftlabs/kvtest.OneClient", []string{"kvtest"}))
	assert.False(t, isHarnessFunction("raftlabs/kvtest.OneClient", nil))
	assert.True(t, isHarnessPackage("raftlabs/labrpc"))
	assert.False(t, isHarnessPackage("raftlabs/labtest/testdata/broken"))
}
