package main

import (
	"fmt"
	"regexp"
	"strings"
)

// A word is one argument of a command line, as the shell passes it: quotes
// removed, "$VAR" and "$(...)" left as written (hasVar says so), "<(...)"
// kept whole.
type word struct {
	text   string
	hasVar bool
	quoted bool // some of it was in quotes
}

// splitLine splits a line of a shell session into its simple commands
// (separated by &&, ||, ;, |), each a list of words: what a reader would
// type, so only the shell syntax the documents use. A # that starts a word
// starts a comment; redirections (> file, 2>&1) are dropped.
func splitLine(line string) ([][]word, error) {
	var (
		cmds    [][]word
		cur     []word
		w       strings.Builder
		inWord  bool
		hasVar  bool
		quoted  bool
		pending bool // the next word is a redirection's target: dropped
	)
	endWord := func() {
		if inWord {
			if pending {
				pending = false
			} else {
				cur = append(cur, word{text: w.String(), hasVar: hasVar, quoted: quoted})
			}
		}
		w.Reset()
		inWord, hasVar, quoted = false, false, false
	}
	endCommand := func() {
		endWord()
		if len(cur) > 0 {
			cmds = append(cmds, cur)
		}
		cur = nil
	}
	rs := []rune(line)
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		switch {
		case c == '\\' && i+1 < len(rs):
			i++
			w.WriteRune(rs[i])
			inWord = true
		case c == '\'':
			end := indexRune(rs, i+1, '\'')
			if end < 0 {
				return nil, fmt.Errorf("a ' that is not closed")
			}
			w.WriteString(string(rs[i+1 : end]))
			i, inWord, quoted = end, true, true
		case c == '"':
			end := i + 1
			for ; end < len(rs) && rs[end] != '"'; end++ {
				if rs[end] == '\\' {
					end++
				}
			}
			if end >= len(rs) {
				return nil, fmt.Errorf("a \" that is not closed")
			}
			inner := string(rs[i+1 : end])
			hasVar = hasVar || expansion.MatchString(inner)
			w.WriteString(strings.NewReplacer(`\"`, `"`, `\\`, `\`, `\$`, `$`).Replace(inner))
			i, inWord, quoted = end, true, true
		case (c == '$' || c == '<') && i+1 < len(rs) && rs[i+1] == '(':
			// $(...) or <(...): one word, as written.
			end, err := closingParen(rs, i+1)
			if err != nil {
				return nil, err
			}
			w.WriteString(string(rs[i : end+1]))
			i, inWord, hasVar = end, true, true
		case c == '$':
			w.WriteRune(c)
			inWord, hasVar = true, true
		case c == '<' && angled.MatchString(string(rs[i:])):
			// A placeholder (<trace>), not a redirection.
			m := angled.FindString(string(rs[i:]))
			w.WriteString(m)
			i, inWord = i+len([]rune(m))-1, true
		case c == ' ' || c == '\t':
			endWord()
		case c == '#' && !inWord:
			endCommand()
			return cmds, nil
		case c == '&' && i+1 < len(rs) && rs[i+1] == '&', c == '|' && i+1 < len(rs) && rs[i+1] == '|':
			i++
			endCommand()
		case c == ';' || c == '|':
			endCommand()
		case c == '>' || c == '<':
			// A redirection: its target (2>&1's "&1", or the next word) is
			// no argument. The digit before it (2>) was read as a word.
			if inWord && isDigits(w.String()) {
				w.Reset()
				inWord = false
			}
			endWord()
			if i+1 < len(rs) && rs[i+1] == '>' {
				i++
			}
			if i+1 < len(rs) && rs[i+1] == '&' {
				for i+1 < len(rs) && rs[i+1] != ' ' {
					i++
				}
				continue
			}
			pending = true
		default:
			w.WriteRune(c)
			inWord = true
		}
	}
	endCommand()
	return cmds, nil
}

func indexRune(rs []rune, from int, r rune) int {
	for i := from; i < len(rs); i++ {
		if rs[i] == r {
			return i
		}
	}
	return -1
}

// closingParen returns the index of the ) that closes the ( at open,
// skipping quoted text.
func closingParen(rs []rune, open int) (int, error) {
	depth := 0
	for i := open; i < len(rs); i++ {
		switch rs[i] {
		case '\'', '"':
			end := indexRune(rs, i+1, rs[i])
			if end < 0 {
				return 0, fmt.Errorf("a %c that is not closed", rs[i])
			}
			i = end
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return i, nil
			}
		}
	}
	return 0, fmt.Errorf("a ( that is not closed")
}

// expansion is what the shell expands inside double quotes.
var expansion = regexp.MustCompile(`\$[A-Za-z_{(]`)

func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// isEnvAssignment reports whether a command's word sets an environment
// variable for it (RAFTLABS_TRACE=1 go test).
var isEnvAssignment = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=`).MatchString

// A placeholder is a word the reader replaces: the documents write them
// in these shapes, and nowhere else may a command's word look like one.
//
//	<trace>, <folder>, ^<name>$   anything in angle brackets
//	DIR, N, NAME, FILE.zip        capitals (with digits or _), maybe a file extension
//	TRACE.jsonl, labN             the same after a lower-case stem
//	...                           more of the same
var placeholderShapes = []*regexp.Regexp{
	regexp.MustCompile(`<[A-Za-z][A-Za-z0-9 _-]*>`),
	regexp.MustCompile(`^[a-z]*[A-Z][A-Z0-9_]*(\.[a-z]+)?$`),
	regexp.MustCompile(`^\.\.\.$`),
}

// angled is a placeholder in angle brackets, at the start of a text.
var angled = regexp.MustCompile(`^<[A-Za-z][A-Za-z0-9 _-]*>`)

// isPlaceholder reports whether s is, or holds, a placeholder.
func isPlaceholder(s string) bool {
	for _, re := range placeholderShapes {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}
