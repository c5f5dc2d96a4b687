//go:build !unix

package testproc

import "os/exec"

// ownGroup does nothing here: only the test process itself is killed.
func ownGroup(cmd *exec.Cmd) {}

// endGroup does nothing here.
func endGroup(cmd *exec.Cmd) {}

// keepFromChildren does nothing here.
func keepFromChildren(fd int) {}
