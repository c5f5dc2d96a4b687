// Package browsertest drives the trace viewer's page in a real headless
// Chromium. It is a module of its own so that the browser driver
// (chromedp) is never among what a lab folder's go test needs; the
// course's own checks run it where Chromium is installed:
//
//	cd cmd/traceview/browsertest && go test
//
// Without Chromium the tests skip and say so, except under CI=true, where
// they fail: CI installs Chromium (apt-get install chromium).
package browsertest
