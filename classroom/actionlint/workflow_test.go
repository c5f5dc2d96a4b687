package actionlint

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/rhysd/actionlint"
)

// TestClassroomWorkflow lints classroom.yml as actionlint's command would,
// without shellcheck or pyflakes (the workflow runs no scripts of its own).
func TestClassroomWorkflow(t *testing.T) {
	var out bytes.Buffer
	linter, err := actionlint.NewLinter(&out, &actionlint.LinterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "classroom.yml")
	errs, err := linter.LintFile(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range errs {
		t.Errorf("%s:%d:%d: %s [%s]", path, e.Line, e.Column, e.Message, e.Kind)
	}
	if t.Failed() {
		t.Log(out.String())
	}
}
