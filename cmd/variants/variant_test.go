package main

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"raftlabs/labtest"
)

const sample = `# Votes granted to a stale term.
#
# Receiver rule 1 is gone.
lab 1

# A comment between hunks.
replace in solutions/election.go
	if args.Term < rf.currentTerm {
		return
	}
with
	// gone
end

replace in solutions/election.go
	x := 1
with
end
`

const election = `package solutions

func f() {
	x := 1
	if args.Term < rf.currentTerm {
		return
	}
}
`

func TestParseVariant(t *testing.T) {
	v, err := ParseVariant("stale", []byte(sample))
	require.NoError(t, err)
	assert.Equal(t, "stale", v.Name)
	assert.Equal(t, "Votes granted to a stale term.\n\nReceiver rule 1 is gone.", v.Doc)
	assert.Equal(t, "Votes granted to a stale term.", v.Title())
	assert.Equal(t, 1, v.Lab)
	assert.False(t, v.Equivalent)
	require.Len(t, v.Hunks, 2)
	assert.Equal(t, Hunk{
		File:    "solutions/election.go",
		Line:    7,
		Search:  "\tif args.Term < rf.currentTerm {\n\t\treturn\n\t}\n",
		Replace: "\t// gone\n",
	}, v.Hunks[0])
	assert.Equal(t, "", v.Hunks[1].Replace, "an empty replacement deletes")
}

func TestParseEquivalent(t *testing.T) {
	v, err := ParseVariant("e", []byte(strings.Replace(sample, "lab 1\n", "lab 1\nequivalent\n", 1)))
	require.NoError(t, err)
	assert.True(t, v.Equivalent)
}

func TestParseUnnamed(t *testing.T) {
	v, err := ParseVariant("u", []byte(strings.Replace(sample, "lab 1\n",
		"lab 1\nunnamed the verdict is\nunnamed a panic's.\n", 1)))
	require.NoError(t, err)
	assert.Equal(t, "the verdict is a panic's.", v.Unnamed, "the lines join into one reason")
	assert.Empty(t, v.Verdicts)
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name, text, want string
	}{
		{"no description", "lab 1\nreplace in a.go\nx\nwith\nend\n", "no description"},
		{"no lab", "# bug\nreplace in a.go\nx\nwith\nend\n", `no "lab N" line`},
		{"bad lab", "# bug\nlab one\n", `want "lab N"`},
		{"two labs", "# bug\nlab 1\nlab 2\n", "a second lab line"},
		{"no hunks", "# bug\nlab 1\n", "no hunks"},
		{"stray text", "# bug\nlab 1\nsomething\n", `"something": outside a hunk`},
		{"no end", "# bug\nlab 1\nreplace in a.go\nx\nwith\ny\n", `no "end" line`},
		{"end before with", "# bug\nlab 1\nreplace in a.go\nx\nend\n", `"end" before "with"`},
		{"two withs", "# bug\nlab 1\nreplace in a.go\nx\nwith\nwith\nend\n", `a second "with"`},
		{"empty search", "# bug\nlab 1\nreplace in a.go\n\nwith\ny\nend\n", "search text is empty"},
		{"path escapes", "# bug\nlab 1\nreplace in ../a.go\nx\nwith\nend\n", "inside the repository"},
		{"absolute path", "# bug\nlab 1\nreplace in /etc/passwd\nx\nwith\nend\n", "inside the repository"},
		{"named and unnamed", "# bug\nlab 1\nverdict a\nunnamed b\nreplace in a.go\nx\nwith\nend\n", "both verdict and unnamed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseVariant("v", []byte(tc.text))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestApply(t *testing.T) {
	v, err := ParseVariant("stale", []byte(sample))
	require.NoError(t, err)
	fsys := fstest.MapFS{"solutions/election.go": {Data: []byte(election)}}

	files, err := v.Apply(fsys)
	require.NoError(t, err)
	assert.Equal(t, map[string][]byte{
		"solutions/election.go": []byte("package solutions\n\nfunc f() {\n\t// gone\n}\n"),
	}, files)
	assert.Equal(t, election, string(fsys["solutions/election.go"].Data), "the file itself is untouched")
}

func TestApplyFailsLoudly(t *testing.T) {
	hunk := func(search string) *Variant {
		return &Variant{Name: "v", Lab: 1, Hunks: []Hunk{{File: "a.go", Line: 3, Search: search}}}
	}
	fsys := fstest.MapFS{"a.go": {Data: []byte("package a\n\tx := 1\n\tx := 1\n\tlong := 2\n")}}

	_, err := hunk("\ty := 1\n").Apply(fsys)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "v:3: hunk 1: its search text is not in a.go")
	assert.Contains(t, err.Error(), "update the variant")

	_, err = hunk("\tx := 1\n").Apply(fsys)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "occurs 2 times in a.go, at lines 2, 3")

	// Matches are whole lines: "ng := 2" inside "long := 2" is not one.
	_, err = hunk("ng := 2\n").Apply(fsys)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "is not in a.go")

	_, err = hunk("\tx := 1\n").Apply(fstest.MapFS{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "a.go")
}

func TestApplyInOrder(t *testing.T) {
	// The second hunk sees the first one's result: it finds the text the
	// first put in, once.
	v := &Variant{Name: "v", Lab: 1, Hunks: []Hunk{
		{File: "a.go", Search: "a\n", Replace: "b\n"},
		{File: "a.go", Search: "b\n", Replace: "c\n"},
	}}
	files, err := v.Apply(fstest.MapFS{"a.go": {Data: []byte("a")}})
	require.NoError(t, err)
	assert.Equal(t, "c\n", string(files["a.go"]))
}

// TestVariantsApplyToReference checks every variant in solutions/variants
// against the reference as it is now: it parses, names a lab that exists,
// every hunk finds its text exactly once, and the files it produces are
// still Go.
func TestVariantsApplyToReference(t *testing.T) {
	root, vs := courseVariants(t)
	for _, v := range vs {
		t.Run(v.Name, func(t *testing.T) {
			assert.True(t, v.Lab >= 1 && v.Lab <= len(labtest.Labs), "lab %d has no folder", v.Lab)
			files, err := v.Apply(os.DirFS(root))
			require.NoError(t, err)
			for name, content := range files {
				_, err := parser.ParseFile(token.NewFileSet(), name, content, parser.SkipObjectResolution)
				assert.NoError(t, err, "%s with the variant applied is not valid Go", name)
			}
		})
	}
}

func TestTopFailures(t *testing.T) {
	got := topFailures(map[string]int{"TestB": 3, "TestA": 3, "TestC": 5, "TestD": 1}, 3)
	assert.Equal(t, "TestC 5, TestA 3, TestB 3, +1 more", got)
	assert.Equal(t, "", topFailures(map[string]int{}, 3))
}

// courseVariants returns the repository's root and its variants: those
// named, in that order, or all of them.
func courseVariants(t *testing.T, names ...string) (root string, vs []*Variant) {
	t.Helper()
	root, err := findRoot()
	require.NoError(t, err)
	all, err := LoadVariants(filepath.Join(root, "solutions", "variants"))
	require.NoError(t, err)
	vs, err = selectVariants(all, names)
	require.NoError(t, err)
	return root, vs
}
