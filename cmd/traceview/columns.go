package main

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"raftlabs/labtrace"
)

// columnOptions says what the terminal view shows and how.
type columnOptions struct {
	topics   []string // show only records with one of these tags; all if empty
	from, to int64    // the stretch of the clock shown; to 0 means the end
	width    int      // the terminal's width
	bytes    bool     // show each RPC's size
	color    bool
}

// ANSI colours.
const (
	reset   = "\033[0m"
	bold    = "\033[1m"
	dim     = "\033[2m"
	red     = "\033[31m"
	green   = "\033[32m"
	yellow  = "\033[33m"
	blue    = "\033[34m"
	magenta = "\033[35m"
	cyan    = "\033[36m"
	white   = "\033[37m"
	redBack = "\033[41;37m"
)

// writeColumns prints records as a time column and one column per server:
// each record in its server's column, and records about the whole cluster
// (the network, the failure) across all of them.
func writeColumns(w io.Writer, records []labtrace.Record, opts columnOptions) error {
	n := servers(records)
	if n == 0 {
		n = 1
	}
	const timeWidth = 12
	colWidth := max((opts.width-timeWidth)/n, 12)
	bw := bufio.NewWriter(w)

	// The heading: server names over their columns.
	head := strings.Repeat(" ", timeWidth)
	for i := range n {
		head += pad(labtrace.ServerName(i), colWidth)
	}
	fmt.Fprintln(bw, paint(opts.color, bold, strings.TrimRight(head, " ")))

	sorted := slices.Clone(records)
	slices.SortStableFunc(sorted, func(a, b labtrace.Record) int { return compareTime(a.T, b.T) })
	for _, r := range sorted {
		if r.T < opts.from || opts.to > 0 && r.T > opts.to || !wanted(r, opts.topics) {
			continue
		}
		at := fmt.Sprintf("%10.6fs ", float64(r.T)/1e6)
		text, color := cell(r, opts.bytes)
		col, ok := labtrace.ServerNumber(serverOf(r))
		if !ok || col >= n {
			// The whole cluster: across every column.
			for k, line := range wrap(text, opts.width-timeWidth) {
				if k > 0 {
					at = strings.Repeat(" ", timeWidth)
				}
				fmt.Fprintln(bw, paint(opts.color, dim, at)+paint(opts.color, color, line))
			}
			continue
		}
		for k, line := range wrap(text, colWidth-1) {
			if k > 0 {
				at = strings.Repeat(" ", timeWidth)
			}
			fmt.Fprintln(bw, paint(opts.color, dim, at)+strings.Repeat(" ", col*colWidth)+paint(opts.color, color, line))
		}
	}
	return bw.Flush()
}

func compareTime(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// servers returns how many servers the trace shows.
func servers(records []labtrace.Record) int {
	n := 0
	for _, r := range records {
		if r.Kind == labtrace.Boot {
			n = max(n, r.Servers)
		}
		for _, s := range []string{r.Server, r.From, r.To} {
			if i, ok := labtrace.ServerNumber(s); ok {
				n = max(n, i+1)
			}
		}
	}
	return n
}

// serverOf returns the server whose column shows r: for an RPC, its sender.
func serverOf(r labtrace.Record) string {
	if r.Kind == labtrace.RPC {
		return r.From
	}
	return r.Server
}

// wanted reports whether r has one of the tags asked for: its kind, its
// RPC method or its labdebug topic.
func wanted(r labtrace.Record, topics []string) bool {
	if len(topics) == 0 || r.Kind == labtrace.Fail {
		return true
	}
	for _, t := range topics {
		if strings.EqualFold(t, string(r.Kind)) || r.Method != "" && strings.EqualFold(t, r.Method) ||
			r.Topic != "" && strings.EqualFold(t, r.Topic) {
			return true
		}
	}
	return false
}

// cell returns the text a record shows in its column, and its colour. With
// sizes, an RPC shows how many bytes its arguments took.
func cell(r labtrace.Record, sizes bool) (string, string) {
	switch r.Kind {
	case labtrace.RPC:
		short := map[string]string{"RequestVote": "RV", "AppendEntries": "AE", "InstallSnapshot": "IS"}[r.Method]
		if short == "" {
			short = r.Method
		}
		s := fmt.Sprintf("%s→%s T%d", short, r.To, r.ArgsTerm)
		if sizes {
			s += " " + byteSize(r.Bytes)
		}
		switch {
		case r.Fate == labtrace.Delivered && r.OK:
			return s + " ok", dim
		case r.Fate == labtrace.Delivered:
			return fmt.Sprintf("%s no (T%d)", s, r.ReplyTerm), yellow
		case r.Fate == labtrace.InFlight:
			return s + " in flight", dim
		}
		return s + " " + r.Fate, red
	case labtrace.State:
		color := cyan
		switch r.Role {
		case labtrace.Leader:
			color = bold + yellow
		case labtrace.Candidate:
			color = magenta
		}
		return fmt.Sprintf("%s T%d", strings.ToUpper(r.Role), r.Term), color
	case labtrace.Crash:
		return "CRASHED", redBack
	case labtrace.Start:
		return r.String(), green
	case labtrace.Apply, labtrace.Snapshot:
		return r.String(), green
	case labtrace.Command:
		return r.String(), blue
	case labtrace.Log:
		return r.Topic + " " + r.Text, topicColor(r.Topic)
	case labtrace.Fail:
		return r.String(), bold + red
	case labtrace.Network:
		return "network: " + r.Shape, bold + magenta
	}
	return r.String(), white
}

// byteSize writes n bytes the short way: 93B, 12.3kB, 2.0MB.
func byteSize(n int) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%dB", n)
	case n < 1000*1000:
		return fmt.Sprintf("%.1fkB", float64(n)/1000)
	}
	return fmt.Sprintf("%.1fMB", float64(n)/1000/1000)
}

// topicColor gives each labdebug topic a colour of its own.
func topicColor(topic string) string {
	colors := []string{cyan, green, yellow, blue, magenta, white}
	h := 0
	for _, c := range topic {
		h = h*31 + int(c)
	}
	return colors[(h%len(colors)+len(colors))%len(colors)]
}

// paint colours s, if colours are on.
func paint(on bool, color, s string) string {
	if !on || color == "" {
		return s
	}
	return color + s + reset
}

// pad pads s with spaces to width runes.
func pad(s string, width int) string {
	if n := utf8.RuneCountInString(s); n < width {
		return s + strings.Repeat(" ", width-n)
	}
	return s
}

// wrap breaks s into lines of at most width runes, at spaces where it can.
func wrap(s string, width int) []string {
	var lines []string
	for _, para := range strings.Split(s, "\n") {
		for utf8.RuneCountInString(para) > width {
			runes := []rune(para)
			cut := width
			if sp := strings.LastIndex(string(runes[:width]), " "); sp > width/3 {
				cut = utf8.RuneCountInString(string(runes[:width])[:sp])
			}
			lines = append(lines, strings.TrimRight(string(runes[:cut]), " "))
			para = strings.TrimLeft(string(runes[cut:]), " ")
		}
		lines = append(lines, para)
	}
	return lines
}
