package main

import (
	_ "embed"
	"encoding/json"
	"html"
	"strings"

	"raftlabs/labtrace"
)

// pageTemplate is the viewer: HTML, style and script in one file, with
// two holes, the title and the records.
//
//go:embed page.html
var pageTemplate string

// renderPage returns the page that shows records. The records are inside
// it as JSON, which encoding/json writes with <, > and & escaped, so
// nothing in a trace can end the script element that holds them.
func renderPage(records []labtrace.Record) []byte {
	if records == nil {
		records = []labtrace.Record{}
	}
	data, err := json.Marshal(records)
	if err != nil {
		panic(err) // a Record always encodes
	}
	title := "trace"
	for _, r := range records {
		if r.Kind == labtrace.Test {
			title = r.Test + " (seed " + itoa(r.Seed) + ")"
			break
		}
	}
	return []byte(strings.NewReplacer(
		"{{.Title}}", html.EscapeString(title),
		"{{.Records}}", string(data),
	).Replace(pageTemplate))
}

func itoa(i int64) string {
	b, _ := json.Marshal(i)
	return string(b)
}
