//go:build !unix

package grading

import "os/exec"

// stopGently leaves cmd as it is: a cancelled cmd is killed.
func stopGently(cmd *exec.Cmd) {}
