//go:build unix

package testproc

import (
	"os/exec"
	"syscall"
)

// ownGroup makes cmd's process the leader of a process group of its own,
// so that endGroup can reach anything it started.
func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}

// endGroup kills whatever is left of cmd's process group once cmd has
// ended: no process a test started outlives it.
func endGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}

// keepFromChildren marks fd close-on-exec, so that a process the code under
// test starts cannot inherit the report pipe and hold it open.
func keepFromChildren(fd int) { syscall.CloseOnExec(fd) }
