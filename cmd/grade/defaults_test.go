package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadDefaults(t *testing.T) {
	dir := t.TempDir()
	d, err := readDefaults(dir)
	require.NoError(t, err)
	assert.Equal(t, builtinDefaults, d, "no grade.conf")

	write := func(text string) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, ConfigFile), []byte(text), 0o644))
	}
	write("# the class's settings\n\nruns = 10   # ten runs\njobs=0\n")
	d, err = readDefaults(dir)
	require.NoError(t, err)
	assert.Equal(t, classDefaults{Runs: 10, Jobs: 0}, d)

	for text, want := range map[string]string{
		"runs 10\n":    `grade.conf:1: "runs 10" is not a setting: write key = value`,
		"\nrace = 1\n": `grade.conf:2: unknown setting "race": the settings are runs and jobs`,
		"runs = ten\n": `grade.conf:1: runs must be a whole number, not "ten"`,
		"runs = 0\n":   "grade.conf:1: runs must be at least 1, not 0",
		"jobs = -1\n":  "grade.conf:1: jobs must be 0 (one per CPU) or more, not -1",
	} {
		write(text)
		_, err := readDefaults(dir)
		assert.EqualError(t, err, want, text)
	}
}

// TestTheCoursesGradeConf checks the grade.conf the course ships.
func TestTheCoursesGradeConf(t *testing.T) {
	d, err := readDefaults(courseRoot(t))
	require.NoError(t, err)
	assert.GreaterOrEqual(t, d.Runs, 1)
	assert.FileExists(t, filepath.Join(courseRoot(t), ConfigFile))
}
