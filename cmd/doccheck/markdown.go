package main

import (
	"strings"
)

// A snippet is what a reader copies from a document in one go: a fenced
// block's commands, or one inline command. Its commands run in order, so a
// cd in a block holds for the lines after it, and not for the next block.
type snippet struct {
	lines []docLine
}

// A docLine is one command line of a document, with its line number.
type docLine struct {
	line int // 1-based
	text string
}

// shellBlocks are the info strings of fenced blocks whose every line is a
// command (a "$ " before one is dropped). In any other fenced block only
// the lines that start with "$ " are commands; the rest is their output.
// A console block is a session: a command, its output.
var shellBlocks = map[string]bool{"sh": true, "bash": true, "shell": true}

// inlinePrefixes are how an inline code span starts when it is a command.
var inlinePrefixes = []string{"go run ", "go test", "go vet", "go build ", "./grade.sh", "cd lab"}

// findCommands returns a document's commands: the lines of its sh and bash
// blocks, the "$ " lines of its other fenced blocks, and the inline code
// spans that start as a command does (inlinePrefixes).
func findCommands(doc string) []snippet {
	var (
		snippets []snippet
		block    *snippet // the fenced block being read, if any
		fence    string   // the fence that closes it
		shell    bool     // it is a shell block
		prose    []docLine
		pending  string // a command line continued with a \ at its end
		startsAt int
	)
	flushProse := func() {
		snippets = append(snippets, inlineCommands(prose)...)
		prose = nil
	}
	lines := strings.Split(doc, "\n")
	for k, line := range lines {
		n := k + 1
		trimmed := strings.TrimSpace(line)
		if block == nil {
			if f, info, ok := openingFence(trimmed); ok {
				flushProse()
				block, fence = &snippet{}, f
				lang, _, _ := strings.Cut(info, " ")
				shell = shellBlocks[strings.ToLower(lang)]
				continue
			}
			prose = append(prose, docLine{n, line})
			continue
		}
		if strings.HasPrefix(trimmed, fence) && strings.Trim(trimmed, fence[:1]) == "" {
			if len(block.lines) > 0 {
				snippets = append(snippets, *block)
			}
			block = nil
			continue
		}
		text, isPrompt := strings.CutPrefix(trimmed, "$ ")
		if trimmed == "$" {
			text, isPrompt = "", true
		}
		if pending != "" {
			text, isPrompt = pending+" "+trimmed, true
		} else if !isPrompt && !shell {
			continue
		} else {
			startsAt = n
		}
		if body, ok := strings.CutSuffix(text, `\`); ok {
			pending = strings.TrimSpace(body)
			continue
		}
		pending = ""
		if strings.TrimSpace(text) != "" {
			block.lines = append(block.lines, docLine{startsAt, text})
		}
	}
	if block != nil && len(block.lines) > 0 { // a block not closed: Markdown ends it at the end
		snippets = append(snippets, *block)
	}
	flushProse()
	return snippets
}

// openingFence reports whether a (trimmed) line opens a fenced block, and
// returns its fence and info string.
func openingFence(trimmed string) (fence, info string, ok bool) {
	for _, c := range []string{"`", "~"} {
		n := len(trimmed) - len(strings.TrimLeft(trimmed, c))
		if n >= 3 {
			info = strings.TrimSpace(trimmed[n:])
			if c == "`" && strings.Contains(info, "`") {
				return "", "", false // an inline span, not a fence
			}
			return trimmed[:n], info, true
		}
	}
	return "", "", false
}

// inlineCommands returns the inline code spans of prose that are commands,
// each a snippet of its own. A span may run over a line break, as
// Markdown allows; it is numbered by the line it starts on.
func inlineCommands(prose []docLine) []snippet {
	var snippets []snippet
	for k := 0; k < len(prose); k++ {
		text := prose[k].text
		for i := 0; i < len(text); {
			if text[i] != '`' {
				i++
				continue
			}
			ticks := len(text[i:]) - len(strings.TrimLeft(text[i:], "`"))
			delim := text[i : i+ticks]
			// The span may close on this line or, within its paragraph, on a later one.
			body, end, more := text[i+ticks:], -1, 0
			for {
				if end = indexDelim(body, delim); end >= 0 || k+more+1 >= len(prose) ||
					strings.TrimSpace(prose[k+more+1].text) == "" {
					break
				}
				more++
				body += "\n" + prose[k+more].text
			}
			if end < 0 {
				i += ticks // an unmatched run of backticks is text
				continue
			}
			span := strings.TrimSpace(strings.ReplaceAll(body[:end], "\n", " "))
			if isCommandSpan(span) {
				snippets = append(snippets, snippet{lines: []docLine{{prose[k].line, span}}})
			}
			if more == 0 {
				i += ticks + end + ticks
				continue
			}
			// Go on after the span, on the line where it closed.
			k += more
			text = prose[k].text
			i = end + ticks - (len(body) - len(text))
		}
	}
	return snippets
}

// indexDelim returns where the run of backticks delim, exactly, next
// occurs in s, or -1.
func indexDelim(s, delim string) int {
	for i := 0; i < len(s); {
		j := strings.Index(s[i:], delim)
		if j < 0 {
			return -1
		}
		j += i
		end := j + len(delim)
		if end < len(s) && s[end] == '`' {
			i = end + len(s[end:]) - len(strings.TrimLeft(s[end:], "`")) // a longer run: skip it
			continue
		}
		return j
	}
	return -1
}

func isCommandSpan(span string) bool {
	for _, p := range inlinePrefixes {
		if strings.HasPrefix(span, p) && (len(span) == len(p) || strings.HasSuffix(p, " ") ||
			span[len(p)] == ' ' || p == "cd lab") {
			return true
		}
	}
	return false
}
