package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// ConfigFile is the file at the course's root where an instructor sets the
// grader's defaults for a class: how many runs of each test a grade takes,
// and how many test processes run at a time. A flag on the command line
// wins over it.
const ConfigFile = "grade.conf"

// classDefaults are the settings grade.conf can hold.
type classDefaults struct {
	Runs int // runs of each test; a test scores only if every run passes
	Jobs int // test processes at a time; 0 means one per CPU
}

// builtinDefaults stand in for a course with no grade.conf.
var builtinDefaults = classDefaults{Runs: 1, Jobs: 1}

// readDefaults reads grade.conf at the course's root: lines "key = value",
// with # comments and blank lines. A missing file gives builtinDefaults;
// an unknown key or a bad value is an error that names the line.
func readDefaults(root string) (classDefaults, error) {
	d := builtinDefaults
	path := filepath.Join(root, ConfigFile)
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return d, nil
	}
	if err != nil {
		return d, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line, _, _ := strings.Cut(sc.Text(), "#")
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		number, numErr := strconv.Atoi(value)
		switch {
		case !ok:
			return d, fmt.Errorf("%s:%d: %q is not a setting: write key = value", ConfigFile, n, line)
		case key != "runs" && key != "jobs":
			return d, fmt.Errorf("%s:%d: unknown setting %q: the settings are runs and jobs", ConfigFile, n, key)
		case numErr != nil:
			return d, fmt.Errorf("%s:%d: %s must be a whole number, not %q", ConfigFile, n, key, value)
		case key == "runs" && number < 1:
			return d, fmt.Errorf("%s:%d: runs must be at least 1, not %d", ConfigFile, n, number)
		case key == "jobs" && number < 0:
			return d, fmt.Errorf("%s:%d: jobs must be 0 (one per CPU) or more, not %d", ConfigFile, n, number)
		case key == "runs":
			d.Runs = number
		default:
			d.Jobs = number
		}
	}
	return d, sc.Err()
}
