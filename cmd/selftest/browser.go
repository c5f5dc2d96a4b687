package main

import (
	"os/exec"
	"path/filepath"
)

// browser drives the trace viewer's page in a headless Chromium
// (cmd/traceview/browsertest, a module of its own so that no lab folder
// needs chromedp). Without Chromium, or when go cannot fetch chromedp, the
// step is skipped and says why; .ci/run installs Chromium first.
func (st *selftest) browser() (string, error) {
	dir := filepath.Join(st.root, "cmd", "traceview", "browsertest")
	if st.short {
		return "-short", errSkipped
	}
	if !isDir(dir) {
		return "no cmd/traceview/browsertest here", errSkipped
	}
	found := false
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if _, err := exec.LookPath(name); err == nil {
			found = true
			break
		}
	}
	if !found {
		return "no Chromium on PATH (apt-get install chromium, or brew install --cask chromium)", errSkipped
	}
	if out, err := st.commandIn(dir, "go", "mod", "download"); err != nil {
		return "go could not fetch chromedp (no network, and not in the module cache): " + firstLine(out), errSkipped
	}
	return st.commandIn(dir, "go", "test", "-count=1", ".")
}
