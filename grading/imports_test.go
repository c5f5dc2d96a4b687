package grading

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"raftlabs/labtest"
)

// fakeCourse writes a module raftlabs with files (path: content) in a new
// folder and returns it.
func fakeCourse(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	files["go.mod"] = "module raftlabs\n\ngo 1.25\n"
	for path, content := range files {
		path = filepath.Join(root, path)
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	}
	return root
}

// rejections checks lab 1's folder of a fake course made of files and
// returns the rejections as strings.
func rejections(t *testing.T, files map[string]string) []string {
	t.Helper()
	err := CheckImports(fakeCourse(t, files), lab1)
	if err == nil {
		return nil
	}
	var ie *ImportError
	require.True(t, errors.As(err, &ie), "not an *ImportError: %v", err)
	var lines []string
	for _, r := range ie.Rejections {
		lines = append(lines, r.String())
	}
	return lines
}

func TestCheckImportsAllowsWhatARaftUses(t *testing.T) {
	got := rejections(t, map[string]string{"lab1-election/raft.go": `package raft

import (
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	rt "runtime"
	"strconv"
	"sync"
	"time"

	"raftlabs/labgob"
	"raftlabs/labrpc"
	"raftlabs/raftapi"
)

// The debug logger of MIT's handout reads VERBOSE and prints to stderr.
func verbosity() int {
	v, _ := strconv.Atoi(os.Getenv("VERBOSE"))
	if _, ok := os.LookupEnv("DEBUG"); ok {
		v++
	}
	log.SetOutput(os.Stderr)
	_, file, line, _ := rt.Caller(1)
	fmt.Fprintln(os.Stdout, file, line, rand.IntN(3), time.Now())
	return v
}

// A local variable named os is not the package.
func shadow() int {
	type disk struct{ Exit int }
	os := disk{}
	return os.Exit
}

var (
	_ sync.Mutex
	_ = labgob.Register
	_ *labrpc.ClientEnd
	_ raftapi.ApplyMsg
)
`,
		"lab1-election/suite_test.go": "package raft\n\nimport (\n\t\"os/exec\"\n\t\"testing\"\n)\n\nvar _ = exec.Command\nvar _ testing.T\n",
	})
	assert.Empty(t, got, "the course's test files are not the student's and are not checked")
}

func TestCheckImportsRejects(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{
			name:  "the reference",
			files: map[string]string{"lab1-election/raft.go": "package raft\n\nimport (\n\t\"fmt\"\n\t\"raftlabs/solutions\"\n)\n"},
			want:  []string{"lab1-election/raft.go:5: imports raftlabs/solutions, which a submission may not import"},
		},
		{
			name:  "the harness and the grader",
			files: map[string]string{"lab1-election/raft.go": "package raft\n\nimport \"raftlabs/labtest\"\nimport g \"raftlabs/grading\"\nimport _ \"raftlabs/cmd/grade\"\n"},
			want: []string{
				"lab1-election/raft.go:3: imports raftlabs/labtest, which a submission may not import",
				"lab1-election/raft.go:4: imports raftlabs/grading, which a submission may not import",
				"lab1-election/raft.go:5: imports raftlabs/cmd/grade, which a submission may not import",
			},
		},
		{
			name:  "unsafe and linkname",
			files: map[string]string{"lab1-election/raft.go": "package raft\n\nimport _ \"unsafe\"\n\n//go:linkname points raftlabs/labtest.Suite\nvar points []int\n"},
			want: []string{
				"lab1-election/raft.go:3: imports unsafe, which a submission may not import",
				"lab1-election/raft.go:5: has a go:linkname directive, which a submission may not use",
			},
		},
		{
			name:  "processes, files and reflection",
			files: map[string]string{"lab1-election/raft.go": "package raft\n\nimport (\n\t\"os/exec\"\n\t\"syscall\"\n\t\"reflect\"\n\t\"net\"\n\t\"io/ioutil\"\n\t\"plugin\"\n\t\"runtime/debug\"\n\t\"github.com/someone/raft\"\n)\n"},
			want: []string{
				"lab1-election/raft.go:4: imports os/exec, which a submission may not import",
				"lab1-election/raft.go:5: imports syscall, which a submission may not import",
				"lab1-election/raft.go:6: imports reflect, which a submission may not import",
				"lab1-election/raft.go:7: imports net, which a submission may not import",
				"lab1-election/raft.go:8: imports io/ioutil, which a submission may not import: it reads and writes files",
				"lab1-election/raft.go:9: imports plugin, which a submission may not import",
				"lab1-election/raft.go:10: imports runtime/debug, which a submission may not import",
				"lab1-election/raft.go:11: imports github.com/someone/raft, which a submission may not import",
			},
		},
		{
			name:  "os beyond the environment and the standard streams",
			files: map[string]string{"lab1-election/raft.go": "package raft\n\nimport \"os\"\n\nfunc init() {\n\tos.Stdout.WriteString(os.Getenv(\"X\"))\n\tos.Exit(0)\n\t_ = os.WriteFile\n}\n"},
			want: []string{
				"lab1-election/raft.go:7: uses os.Exit; of os a submission may use only os.Getenv, os.LookupEnv, os.Stderr, os.Stdout",
				"lab1-election/raft.go:8: uses os.WriteFile; of os a submission may use only os.Getenv, os.LookupEnv, os.Stderr, os.Stdout",
			},
		},
		{
			name:  "os renamed, runtime beyond a logger's needs",
			files: map[string]string{"lab1-election/raft.go": "package raft\n\nimport (\n\tsys \"os\"\n\t\"runtime\"\n)\n\nvar exit = sys.Exit\nvar _ = runtime.Goexit\n"},
			want: []string{
				"lab1-election/raft.go:8: uses sys.Exit; of os a submission may use only sys.Getenv, sys.LookupEnv, sys.Stderr, sys.Stdout",
				"lab1-election/raft.go:9: uses runtime.Goexit; of runtime a submission may use only runtime.Caller, runtime.Callers, " +
					"runtime.CallersFrames, runtime.Frame, runtime.Frames, runtime.Func, runtime.FuncForPC, runtime.GOMAXPROCS, " +
					"runtime.Gosched, runtime.KeepAlive, runtime.NumCPU, runtime.NumGoroutine, runtime.Stack",
			},
		},
		{
			name:  "a dot import of a restricted package",
			files: map[string]string{"lab1-election/raft.go": "package raft\n\nimport . \"os\"\n\nvar _ = Exit\n"},
			want: []string{"lab1-election/raft.go:3: imports os with a dot, which a submission may not do: " +
				"import it by name and use only os.Getenv, os.LookupEnv, os.Stderr, os.Stdout"},
		},
		{
			name: "cgo, and a file only the race detector's build compiles",
			files: map[string]string{
				"lab1-election/raft.go": "package raft\n",
				"lab1-election/cgo.go":  "package raft\n\n// int x;\nimport \"C\"\n",
				"lab1-election/race.go": "//go:build race\n\npackage raft\n\nimport \"os/exec\"\n",
			},
			want: []string{
				`lab1-election/cgo.go:4: imports "C" (cgo), which a submission may not use`,
				"lab1-election/race.go:5: imports os/exec, which a submission may not import",
			},
		},
		{
			name:  "embedded files",
			files: map[string]string{"lab1-election/raft.go": "package raft\n\nimport _ \"embed\"\n\n//go:embed raft.go\nvar self string\n"},
			want: []string{
				"lab1-election/raft.go:3: imports embed, which a submission may not import",
				"lab1-election/raft.go:5: has a go:embed directive, which a submission may not use",
			},
		},
		{
			name: "sources the go command compiles besides Go",
			files: map[string]string{
				"lab1-election/raft.go":    "package raft\n",
				"lab1-election/exit.s":     "TEXT ·exit(SB),$0\n",
				"lab1-election/blob.syso":  "\x7fELF",
				"lab1-election/helper.c":   "int x;\n",
				"lab1-election/notes.txt":  "not compiled, not rejected\n",
				"lab1-election/x_test.go":  "package raft\n\nimport \"unsafe\"\n",
				"lab1-election/.hidden.go": "package raft\n\nimport \"unsafe\"\n", // the go command ignores it
			},
			want: []string{
				"lab1-election/blob.syso: is not a Go file; a submission is Go source only",
				"lab1-election/exit.s: is not a Go file; a submission is Go source only",
				"lab1-election/helper.c: is not a Go file; a submission is Go source only",
			},
		},
		{
			name: "line directives, which name a file of the code's choosing",
			files: map[string]string{"lab1-election/raft.go": "package raft\n\n//line internal/synctest.Run(:1\nfunc hidden() {}\n\n" +
				"var x = /*line testing/synctest.go:9:1*/ 1\n\n//line up the entries, a comment\n//lines: also a comment\n"},
			want: []string{
				"lab1-election/raft.go:3: has a line directive (//line internal/synctest.Run(:1), which a submission may not use: " +
					"it gives the code's stack traces a file name of its choosing",
				"lab1-election/raft.go:6: has a line directive (/*line testing/synctest.go:9:1*/), which a submission may not use",
			},
		},
		{
			name:  "a file that does not parse",
			files: map[string]string{"lab1-election/raft.go": "package raft\n\nimport \"os/exec\"\n\nfunc (\n"},
			want:  []string{"lab1-election/raft.go:5: does not parse ("},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := rejections(t, tc.files)
			require.Len(t, got, len(tc.want), strings.Join(got, "\n"))
			for i := range got {
				assert.True(t, strings.HasPrefix(got[i], tc.want[i]), "got  %s\nwant %s", got[i], tc.want[i])
			}
		})
	}
}

func TestImportErrorNamesFileLinePackageAndAllowlist(t *testing.T) {
	root := fakeCourse(t, map[string]string{
		"lab2-replication/raft.go": "package raft\n\nimport (\n\t\"raftlabs/labrpc\"\n\t\"raftlabs/raftapi\"\n\n\t\"sync\"\n\n\t\"raftlabs/solutions\"\n)\n",
	})
	err := CheckImports(root, labtest.Labs[1])
	require.Error(t, err)
	assert.Equal(t, "lab2-replication/raft.go:9: imports raftlabs/solutions, which a submission may not import: "+
		"of the course's packages a submission may import only raftlabs/labdebug, raftlabs/labgob, raftlabs/labrpc, raftlabs/raftapi; "+
		"allowed: "+AllowedList(), err.Error())
	assert.Equal(t, "the standard library less what reaches files, processes, the network, memory by address, reflection, "+
		"the runtime's internals or the tests (grading/allowlist.go lists each package and why), with only some members of "+
		"os, path/filepath, runtime; and raftlabs/labdebug, raftlabs/labgob, raftlabs/labrpc, raftlabs/raftapi", AllowedList())

	// With several, one a line, and the allowlist once at the end.
	root = fakeCourse(t, map[string]string{"lab1-election/raft.go": "package raft\n\nimport \"unsafe\"\nimport \"reflect\"\n"})
	err = CheckImports(root, lab1)
	require.Error(t, err)
	assert.Equal(t, "lab1-election/raft.go:3: imports unsafe, which a submission may not import: it reads and writes memory by address\n"+
		"lab1-election/raft.go:4: imports reflect, which a submission may not import: it reaches other code's values, unexported fields included\n"+
		"allowed: "+AllowedList(), err.Error())
}

func TestCheckImportsPassesTheCourse(t *testing.T) {
	root, err := FindRoot(".")
	require.NoError(t, err)
	for _, lab := range labtest.Labs {
		assert.NoError(t, CheckImports(root, lab), "the skeleton of %s", lab.Dir)
	}
}

func TestCheckImportsOfAMissingFolder(t *testing.T) {
	err := CheckImports(fakeCourse(t, map[string]string{}), lab1)
	require.Error(t, err)
	var ie *ImportError
	assert.False(t, errors.As(err, &ie), "a missing folder is not a rejection: %v", err)
}

// BenchmarkCheckImports measures the check on the course's lab 2 skeleton:
// what it adds to grading one lab.
func BenchmarkCheckImports(b *testing.B) {
	root, err := FindRoot(".")
	require.NoError(b, err)
	for b.Loop() {
		if err := CheckImports(root, labtest.Labs[1]); err != nil {
			b.Fatal(err)
		}
	}
}

func TestCheckRealFilesRejectsLinks(t *testing.T) {
	sub := t.TempDir()
	elsewhere := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(elsewhere, "raft.go"), []byte("package raft\n"), 0o644))
	// lab 1: a real folder with one real file, one linked file and a linked
	// file that is no student's (a test), which the grader never takes.
	require.NoError(t, os.MkdirAll(filepath.Join(sub, "lab1-election"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(sub, "lab1-election", "raft.go"), []byte("package raft\n"), 0o644))
	require.NoError(t, os.Symlink(filepath.Join(elsewhere, "raft.go"), filepath.Join(sub, "lab1-election", "util.go")))
	require.NoError(t, os.Symlink(filepath.Join(elsewhere, "raft.go"), filepath.Join(sub, "lab1-election", "x_test.go")))
	// lab 2: the whole folder is a link, to a classmate's say.
	require.NoError(t, os.Symlink(elsewhere, filepath.Join(sub, "lab2-replication")))

	err := CheckRealFiles(sub, lab1)
	var ie *ImportError
	require.True(t, errors.As(err, &ie), "not an *ImportError: %v", err)
	require.Len(t, ie.Rejections, 1)
	assert.Equal(t, "lab1-election/util.go: is a symbolic link (to "+filepath.Join(elsewhere, "raft.go")+
		"); a lab's .go files must be regular files inside the submission", ie.Rejections[0].String())

	err = CheckRealFiles(sub, labtest.Labs[1])
	require.True(t, errors.As(err, &ie), "not an *ImportError: %v", err)
	require.Len(t, ie.Rejections, 1)
	assert.Equal(t, "lab2-replication: is a symbolic link (to "+elsewhere+
		"); a lab folder must be a real folder inside the submission", ie.Rejections[0].String())

	assert.NoError(t, CheckRealFiles(sub, labtest.Labs[2]), "a lab the submission does not have")
	require.NoError(t, os.Remove(filepath.Join(sub, "lab1-election", "util.go")))
	assert.NoError(t, CheckRealFiles(sub, lab1), "real files, and a linked test the grader never takes")
}
