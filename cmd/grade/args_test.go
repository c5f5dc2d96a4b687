package main

import (
	"flag"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"raftlabs/grading"
	"raftlabs/labtest"
	"raftlabs/labtest/testrun"
)

func TestParseArgsTakesFlagsAndLabsInAnyOrder(t *testing.T) {
	cfg, err := parseArgs([]string{"lab2", "--runs", "3", "1", "-jobs=2", "--race", "lab2"})
	require.NoError(t, err)
	assert.Equal(t, []labtest.Lab{labtest.Labs[0], labtest.Labs[1]}, cfg.labs) // in course order, once each
	assert.Equal(t, 3, cfg.runs)
	assert.Equal(t, 2, cfg.jobs)
	assert.True(t, cfg.race)
	assert.Equal(t, 3*time.Minute, cfg.timeout)

	cfg, err = parseArgs(nil)
	require.NoError(t, err)
	assert.Empty(t, cfg.labs)
	assert.Equal(t, config{timeout: 3 * time.Minute, testLimits: grading.TestLimits, buildLimits: grading.BuildLimits}, cfg,
		"runs and jobs are left to grade.conf")
	cfg = cfg.withDefaults(classDefaults{Runs: 10, Jobs: 2})
	assert.Equal(t, 10, cfg.runs)
	assert.Equal(t, 2, cfg.jobs)

	cfg, err = parseArgs([]string{"--runs", "1", "--run", "Election"})
	require.NoError(t, err)
	cfg = cfg.withDefaults(classDefaults{Runs: 10, Jobs: 0})
	assert.Equal(t, 1, cfg.runs, "a flag wins over grade.conf")
	assert.Positive(t, cfg.jobs, "jobs = 0 is one per CPU")
	assert.True(t, cfg.only.MatchString("TestReElectionLab1"))
}

func TestParseArgsLimits(t *testing.T) {
	cfg, err := parseArgs([]string{"--limits", "memory=4GiB,cpu=5m"})
	require.NoError(t, err)
	assert.Equal(t, testrun.Limits{Memory: 4 << 30, CPU: 5 * time.Minute, FileSize: grading.TestLimits.FileSize}, cfg.testLimits)
	assert.Equal(t, grading.BuildLimits, cfg.buildLimits)

	cfg, err = parseArgs([]string{"--limits", "filesize=1000"})
	require.NoError(t, err)
	assert.Equal(t, int64(1000), cfg.testLimits.FileSize)

	cfg, err = parseArgs([]string{"--limits", "off"})
	require.NoError(t, err)
	assert.Zero(t, cfg.testLimits)
	assert.Zero(t, cfg.buildLimits)
}

func TestParseArgsRefusesNonsense(t *testing.T) {
	for _, args := range [][]string{
		{"--runs", "0"},
		{"--jobs", "-1"},
		{"--timeout", "0s"},
		{"--reference", "--submission", "x"},
		{"--no-such-flag"},
		{"lab7"},
		{"--run", "("},
		{"--class", "x", "--reference"},
		{"--class", "x", "--gradescope", "r.json"},
		{"--out", "x"},
		{"--limits", "memory"},
		{"--limits", "memory=lots"},
		{"--limits", "disk=1GiB"},
		{"--limits", "cpu=10ms"},
	} {
		_, err := parseArgs(args)
		assert.Error(t, err, args)
	}
	_, err := parseArgs([]string{"-h"})
	assert.ErrorIs(t, err, flag.ErrHelp)
}
