package classroom

import (
	_ "embed"
	"fmt"
	"strings"

	"raftlabs/labtest"
)

// The two scripts of a Gradescope autograder bundle, besides the course:
// Gradescope runs setup.sh once when it builds the image, and
// run_autograder for each submission.
var (
	//go:embed setup.sh
	setupScript []byte
	//go:embed run_autograder
	runAutograder string
)

// GradescopeScripts returns the bundle's setup.sh and run_autograder for an
// assignment that grades labs (none: every lab folder a submission has).
func GradescopeScripts(labs []labtest.Lab) (setup, run []byte) {
	var names, dirs []string
	for _, lab := range labs {
		names = append(names, fmt.Sprintf("lab%d", lab.Number))
		dirs = append(dirs, lab.Dir)
	}
	r := strings.NewReplacer("@LABS@", strings.Join(names, " "), "@LAB_DIRS@", strings.Join(dirs, " "))
	return setupScript, []byte(r.Replace(runAutograder))
}
