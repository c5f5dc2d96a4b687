package labtest

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMachineryNeverImportsTheFace keeps the harness's layers one way:
// the machinery under labtest/internal takes what it needs as data or
// through an interface of its own, so none of its packages (nor
// labtest/testrun, which stands beside labtest on them) imports labtest,
// or anything built on labtest (labtest/generate, kvtest). The
// compiler forbids a cycle among the packages themselves; this also keeps
// their tests from reaching up, which an external test package could do
// without a cycle, and names the file if a move ever tries.
func TestMachineryNeverImportsTheFace(t *testing.T) {
	dirs, err := os.ReadDir("internal")
	require.NoError(t, err)
	require.NotEmpty(t, dirs)
	var machines []string
	for _, d := range dirs {
		if d.IsDir() {
			machines = append(machines, filepath.Join("internal", d.Name()))
		}
	}
	// testrun, the face for programs outside labtest's tree, stands beside
	// labtest on the machinery, not on labtest.
	machines = append(machines, "testrun")
	for _, dir := range machines {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		require.NoError(t, err)
		for _, name := range files {
			f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
			require.NoError(t, err)
			for _, imp := range f.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				above := path == "raftlabs/labtest" || path == "raftlabs/kvtest" ||
					strings.HasPrefix(path, "raftlabs/labtest/") && !strings.HasPrefix(path, "raftlabs/labtest/internal/")
				assert.False(t, above, "%s imports %s, a package above the machinery", name, path)
			}
		}
	}
}
