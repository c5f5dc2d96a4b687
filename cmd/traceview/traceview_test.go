package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"raftlabs/labtrace"
)

// sample is a short election: s0 wins with s1's vote while s2's is lost,
// s1 logs a line, and a check fails.
var sample = []labtrace.Record{
	{Kind: labtrace.Test, T: 0, Test: "TestReElectionLab1", Seed: 8812, Clock: "virtual"},
	{Kind: labtrace.Boot, T: 1, Servers: 3},
	{Kind: labtrace.Start, T: 2, Server: "s0", Instance: 1},
	{Kind: labtrace.Start, T: 3, Server: "s1", Instance: 1},
	{Kind: labtrace.Start, T: 4, Server: "s2", Instance: 1},
	{Kind: labtrace.Network, T: 5, Shape: "{s0 s1 s2}", Groups: [][]string{{"s0", "s1", "s2"}}},
	{Kind: labtrace.RPC, T: 100000, Done: 100000, From: "s0", To: "s1", Method: "RequestVote", Fate: labtrace.Delivered, ArgsTerm: 1, ReplyTerm: 1, OK: true, Bytes: 93},
	{Kind: labtrace.State, T: 100000, Server: "s0", Role: labtrace.Candidate, Term: 1, Source: "sent RequestVote"},
	{Kind: labtrace.RPC, T: 100001, Done: 100020, From: "s0", To: "s2", Method: "RequestVote", Fate: labtrace.RequestDropped, ArgsTerm: 1},
	{Kind: labtrace.Log, T: 100002, Server: "s1", Topic: "VOTE", Text: "granted vote to s0 in term 1 </script><script src=\"http://evil\">"},
	{Kind: labtrace.State, T: 150000, Server: "s0", Role: labtrace.Leader, Term: 1, Source: "GetState"},
	{Kind: labtrace.RPC, T: 160000, Done: 160000, From: "s0", To: "s2", Method: "AppendEntries", Fate: labtrace.Delivered, ArgsTerm: 1, ReplyTerm: 1, OK: true, Bytes: 2_048_576},
	{Kind: labtrace.Crash, T: 200000, Server: "s2"},
	{Kind: labtrace.Network, T: 200001, Shape: "{s0 s1} | s2 crashed", Groups: [][]string{{"s0", "s1"}}},
	{Kind: labtrace.Fail, T: 300000, Where: "lab1.go:40", Text: "no leader: 5s passed\n  terms: s0 1, s1 1"},
}

// scripts returns the page's script elements, and the page without them.
func scripts(t *testing.T, page string) (blocks []string, rest string) {
	t.Helper()
	re := regexp.MustCompile(`(?s)<script([^>]*)>(.*?)</script>`)
	for _, m := range re.FindAllStringSubmatch(page, -1) {
		assert.NotContains(t, m[1], "src", "every script is inline")
		blocks = append(blocks, m[2])
	}
	return blocks, re.ReplaceAllString(page, "")
}

func TestPageIsSelfContained(t *testing.T) {
	page := string(renderPage(sample))

	blocks, rest := scripts(t, page)
	require.Len(t, blocks, 2, "the records and the viewer")

	// The records come back out of the page unchanged, whatever they say.
	var got []labtrace.Record
	require.NoError(t, json.Unmarshal([]byte(blocks[0]), &got))
	assert.Equal(t, sample, got)

	// Nothing is fetched: no address in an attribute or a style.
	assert.NotRegexp(t, `(?i)(src|href|action)\s*=\s*["']?(https?:)?//`, page)
	assert.NotRegexp(t, `(?i)url\(\s*["']?(https?:)?//`, page)
	assert.NotRegexp(t, `(?i)@import`, page)
	assert.NotContains(t, blocks[1], "fetch(")
	assert.NotContains(t, blocks[1], "XMLHttpRequest")

	// The rest is well-formed HTML.
	d := xml.NewDecoder(strings.NewReader(rest))
	d.Strict = false
	d.AutoClose = xml.HTMLAutoClose
	d.Entity = xml.HTMLEntity
	var open []string
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		switch tok := tok.(type) {
		case xml.StartElement:
			open = append(open, tok.Name.Local)
		case xml.EndElement:
			require.NotEmpty(t, open, "</%s> closes nothing", tok.Name.Local)
			require.Equal(t, open[len(open)-1], tok.Name.Local, "elements nest")
			open = open[:len(open)-1]
		}
	}
	assert.Empty(t, open, "every element is closed")
	assert.Contains(t, rest, "<title>TestReElectionLab1 (seed 8812)</title>")
}

// TestPageScriptParses checks the viewer's script with node, where node is
// installed.
func TestPageScriptParses(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: the script's syntax is checked by the browser test only")
	}
	blocks, _ := scripts(t, string(renderPage(sample)))
	file := filepath.Join(t.TempDir(), "viewer.js")
	require.NoError(t, os.WriteFile(file, []byte(blocks[1]), 0o644))
	out, err := exec.Command(node, "--check", file).CombinedOutput()
	assert.NoError(t, err, "%s", out)
}

func TestColumns(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, writeColumns(&buf, sample, columnOptions{width: 72}))
	lines := strings.Split(buf.String(), "\n")
	assert.Equal(t, "            s0                  s1                  s2", lines[0], "a column per server")
	assert.Contains(t, buf.String(), "\n  0.100000s RV→s1 T1 ok\n", "an RPC in its sender's column")
	assert.Contains(t, buf.String(), "\n  0.150000s LEADER T1\n")
	assert.Regexp(t, `\n  0\.100002s {21}VOTE granted vote\n {32}to s0 in term 1\n`, buf.String(), "a log line in its server's column, wrapped")
	assert.Contains(t, buf.String(), "\n  0.200000s "+strings.Repeat(" ", 40)+"CRASHED\n")
	assert.Contains(t, buf.String(), "\n  0.300000s FAILED lab1.go:40: no leader: 5s passed\n", "the failure across all columns")
	assert.NotContains(t, buf.String(), "\033[", "no colour unless asked")

	buf.Reset()
	require.NoError(t, writeColumns(&buf, sample, columnOptions{width: 72, topics: []string{"vote", "crash"}, color: true}))
	out := buf.String()
	assert.Contains(t, out, "granted vote")
	assert.Contains(t, out, "CRASHED")
	assert.Contains(t, out, "FAILED", "the failure is always shown")
	assert.NotContains(t, out, "RV→s1", "other records are filtered out")
	assert.Contains(t, out, "\033[", "colours when asked")

	buf.Reset()
	require.NoError(t, writeColumns(&buf, sample, columnOptions{width: 72, bytes: true}))
	assert.Contains(t, buf.String(), "\n  0.100000s RV→s1 T1 93B ok\n", "-bytes: a small RPC's size in bytes")
	assert.Contains(t, buf.String(), " AE→s2 T1 2.0MB ok\n", "-bytes: a large RPC's size in MB")
}
