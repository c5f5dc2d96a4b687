//go:build unix

package grading

import (
	"os/exec"
	"syscall"
)

// stopGently makes cmd (the go command) the leader of a process group of
// its own and has a cancelled cmd stopped as Ctrl-C stops it: SIGINT to the
// whole group, the go command and the compilers and linker it started, so
// that they end and the go command removes its work folder.
func stopGently(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGINT) }
}
