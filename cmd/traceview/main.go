// Command traceview shows a test's trace (package labtrace): as one
// self-contained HTML page, with a lane per server against the test's
// clock, or as coloured per-server columns in the terminal.
//
// Usage:
//
//	go run raftlabs/cmd/traceview [flags] TRACE.jsonl
//
// With no flag it writes TRACE.html beside the trace and prints its name:
// open it in any browser. The page needs no network: its script and style
// are inside it.
//
// Flags:
//
//	-o FILE      write the page to FILE instead (- for standard output)
//	-text        print per-server columns in the terminal instead of a page
//	-topics LIST with -text, show only these: record kinds (rpc, state,
//	             network, crash, apply, command, log, ...), RPC methods
//	             (RequestVote) or labdebug topics (VOTE), comma-separated
//	-from, -to   with -text, show only this stretch of the test's clock (e.g. 2.5s)
//	-width N     with -text, the width of the terminal (default $COLUMNS or 160)
//	-bytes       with -text, show each RPC's size (its arguments' encoded bytes)
//	-nocolor     with -text, print no colours (also when NO_COLOR is set)
//
// docs/debugging.md explains how to read both views.
package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	"raftlabs/labtrace"
)

func main() {
	out := flag.String("o", "", "write the page to this file (- for standard output); default: the trace's name with .html")
	text := flag.Bool("text", false, "print per-server columns in the terminal instead of writing a page")
	topics := flag.String("topics", "", "with -text, show only these record kinds, RPC methods or labdebug topics (comma-separated)")
	from := flag.Duration("from", 0, "with -text, start at this time on the test's clock")
	to := flag.Duration("to", 0, "with -text, stop at this time on the test's clock (0: the end)")
	width := flag.Int("width", 0, "with -text, the terminal's width (0: $COLUMNS, or 160)")
	sizes := flag.Bool("bytes", false, "with -text, show each RPC's size: its arguments' bytes on the wire")
	noColor := flag.Bool("nocolor", false, "with -text, print without colours (also when NO_COLOR is set)")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: traceview [flags] TRACE.jsonl\n\n"+
			"Writes TRACE.html, a page that shows the test's trace, or with -text prints\n"+
			"per-server columns. See docs/debugging.md.\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	path := flag.Arg(0)
	records, err := labtrace.ReadFile(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "traceview:", err)
		os.Exit(1)
	}

	if *text {
		opts := columnOptions{
			topics: splitList(*topics),
			from:   labtrace.Micros(*from),
			to:     labtrace.Micros(*to),
			width:  *width,
			bytes:  *sizes,
			color:  !*noColor && os.Getenv("NO_COLOR") == "",
		}
		if opts.width == 0 {
			opts.width = 160
			if w, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && w > 40 {
				opts.width = w
			}
		}
		if err := writeColumns(os.Stdout, records, opts); err != nil {
			fmt.Fprintln(os.Stderr, "traceview:", err)
			os.Exit(1)
		}
		return
	}

	page := renderPage(records)
	switch *out {
	case "-":
		os.Stdout.Write(page)
		return
	case "":
		*out = strings.TrimSuffix(path, ".jsonl") + ".html"
	}
	if err := os.WriteFile(*out, page, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "traceview:", err)
		os.Exit(1)
	}
	fmt.Printf("wrote %s (%d records, %d KB): open it in a browser\n", *out, len(records), len(page)/1024)
}

// splitList splits a comma-separated list, dropping empty items.
func splitList(s string) []string {
	var items []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			items = append(items, item)
		}
	}
	return items
}
