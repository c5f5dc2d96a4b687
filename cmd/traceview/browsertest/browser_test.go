package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"raftlabs/labtrace"
)

// sample is a short election: s0 asks s1 and s2 for votes; s2's request
// is dropped; s0 leads and sends one heartbeat; then a check fails.
var sample = []labtrace.Record{
	{Kind: labtrace.Test, T: 0, Test: "TestSample", Seed: 1, Clock: "virtual"},
	{Kind: labtrace.Boot, T: 1, Servers: 3},
	{Kind: labtrace.Start, T: 2, Server: "s0", Instance: 1},
	{Kind: labtrace.Start, T: 3, Server: "s1", Instance: 1},
	{Kind: labtrace.Start, T: 4, Server: "s2", Instance: 1},
	{Kind: labtrace.Network, T: 5, Shape: "{s0 s1 s2}", Groups: [][]string{{"s0", "s1", "s2"}}},
	{Kind: labtrace.RPC, T: 100000, Done: 100000, From: "s0", To: "s1", Method: "RequestVote", Fate: labtrace.Delivered, ArgsTerm: 1, ReplyTerm: 1, OK: true, Bytes: 90},
	{Kind: labtrace.State, T: 100000, Server: "s0", Role: labtrace.Candidate, Term: 1, Source: "sent RequestVote"},
	{Kind: labtrace.RPC, T: 100001, Done: 100020, From: "s0", To: "s2", Method: "RequestVote", Fate: labtrace.RequestDropped, ArgsTerm: 1, Bytes: 90},
	{Kind: labtrace.State, T: 150000, Server: "s0", Role: labtrace.Leader, Term: 1, Source: "GetState"},
	{Kind: labtrace.RPC, T: 160000, Done: 170000, From: "s0", To: "s2", Method: "AppendEntries", Fate: labtrace.Delivered, ArgsTerm: 1, ReplyTerm: 1, OK: true, Bytes: 70},
	{Kind: labtrace.Fail, T: 300000, Where: "lab1.go:40", Text: "no leader"},
}

// browser returns a context for a headless Chromium, or skips the test
// where there is none.
func browser(t *testing.T) context.Context {
	t.Helper()
	var path string
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("no Chromium on PATH: CI must install it (apt-get install chromium)")
		}
		t.Skip("no Chromium on PATH (apt-get install chromium): the viewer's page is not driven in a browser")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.WindowSize(1400, 600))
	alloc, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(cancel)
	ctx, cancel = context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// page writes records as a trace and has the viewer make its page.
func page(t *testing.T, records []labtrace.Record) string {
	t.Helper()
	dir := t.TempDir()
	trace := filepath.Join(dir, "trace.jsonl")
	if err := labtrace.WriteFile(trace, records); err != nil {
		t.Fatal(err)
	}
	return render(t, trace)
}

// render runs the viewer on the trace file and returns the page's path.
func render(t *testing.T, trace string) string {
	t.Helper()
	html := filepath.Join(t.TempDir(), "trace.html")
	out, err := exec.Command("go", "run", "raftlabs/cmd/traceview", "-o", html, trace).CombinedOutput()
	if err != nil {
		t.Fatalf("traceview: %v\n%s", err, out)
	}
	return html
}

// consoleErrors collects the page's console errors and uncaught exceptions.
func consoleErrors(ctx context.Context) func() []string {
	var mu sync.Mutex
	var errs []string
	chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			errs = append(errs, (&chromedp.ExceptionError{ExceptionDetails: ev.ExceptionDetails}).Error())
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError {
				var args []string
				for _, a := range ev.Args {
					args = append(args, string(a.Value))
				}
				errs = append(errs, "console.error: "+strings.Join(args, " "))
			}
		}
	})
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), errs...)
	}
}

// artifacts is the folder where the tests keep their screenshots:
// $RAFTLABS_ARTIFACTS, or artifacts/ beside this file.
func artifacts(t *testing.T) string {
	dir := os.Getenv("RAFTLABS_ARTIFACTS")
	if dir == "" {
		dir = "artifacts"
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestPageInBrowser(t *testing.T) {
	ctx := browser(t)
	errs := consoleErrors(ctx)
	file := page(t, sample)

	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+file), chromedp.WaitVisible("#canvas")); err != nil {
		t.Fatal(err)
	}
	lanes := evaluate[int](ctx, t, `window.traceview.lanes()`)
	arrows := evaluate[int](ctx, t, `window.traceview.arrows()`)
	point := evaluate[struct{ X, Y float64 }](ctx, t, `(() => { const p = window.traceview.arrowPoint(0); return {X: p.x, Y: p.y}; })()`)
	if lanes != 3 {
		t.Errorf("the page shows %d lanes, want 3, one per server", lanes)
	}
	if arrows != 3 {
		t.Errorf("the page draws %d arrows, want 3, one per RPC", arrows)
	}

	// A click on the first arrow shows its details.
	top := evaluate[float64](ctx, t, `document.getElementById("canvas").getBoundingClientRect().top`)
	if err := chromedp.Do(ctx, chromedp.MouseClickXY(point.X, point.Y+top), chromedp.Sleep(100*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	details := evaluate[string](ctx, t, `window.traceview.detailsText()`)
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(details, "RequestVote s0 \u2192 s1") || !strings.Contains(details, "delivered") {
		t.Errorf("a click on the first arrow shows %q, want its details (RequestVote s0 \u2192 s1, delivered)", details)
	}
	shotFile := filepath.Join(artifacts(t), "traceview-sample.png")
	if err := os.WriteFile(shotFile, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", shotFile)
	if e := errs(); len(e) > 0 {
		t.Errorf("the page logged errors:\n%s", strings.Join(e, "\n"))
	}
}

// evaluate returns the value of a JavaScript expression in the page.
func evaluate[T any](ctx context.Context, t *testing.T, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// TestLongTraceOpensQuickly opens the trace in $RAFTLABS_BIG_TRACE (the
// longest lab scenario's, say) and reports the page's size and how long it
// took to draw; it fails if the viewer's own work takes over 1s.
func TestLongTraceOpensQuickly(t *testing.T) {
	trace := os.Getenv("RAFTLABS_BIG_TRACE")
	if trace == "" {
		t.Skip("set RAFTLABS_BIG_TRACE to a trace file to time its page")
	}
	ctx := browser(t)
	errs := consoleErrors(ctx)
	file := render(t, trace)
	info, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	// Start the browser before timing, so that its start-up is not counted.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+file), chromedp.WaitVisible("#canvas")); err != nil {
		t.Fatal(err)
	}
	drawnAt := evaluate[float64](ctx, t, `window.traceview.drawnAt`)
	startedAt := evaluate[float64](ctx, t, `window.traceview.startedAt`)
	parsedAt := evaluate[float64](ctx, t, `window.traceview.parsedAt`)
	t.Logf("script started at %.0f ms, records parsed at %.0f ms, drawn at %.0f ms", startedAt, parsedAt, drawnAt)
	fcp := evaluate[float64](ctx, t, `(performance.getEntriesByName("first-contentful-paint")[0] || {startTime: 0}).startTime`)
	arrows := evaluate[int](ctx, t, `window.traceview.arrows()`)
	if shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		os.WriteFile(filepath.Join(artifacts(t), "traceview-long.png"), shot, 0o644)
	}
	report, _ := json.Marshal(map[string]any{"trace": trace, "pageBytes": info.Size(), "drawnMs": drawnAt, "firstContentfulPaintMs": fcp, "arrows": arrows})
	t.Logf("%s", report)
	fmt.Printf("page %d KB, drawn at %.0f ms, first contentful paint at %.0f ms, %d arrows\n", info.Size()/1024, drawnAt, fcp, arrows)
	// The viewer's own work, from its script's start to the first picture,
	// must take under a second; the time before it (reading the file,
	// parsing the HTML) depends on the machine's load and is reported.
	if work := drawnAt - startedAt; work > 1000 {
		t.Errorf("the viewer took %.0f ms from its start to its first picture, want under 1s", work)
	}
	if e := errs(); len(e) > 0 {
		t.Errorf("the page logged errors:\n%s", strings.Join(e, "\n"))
	}
}
