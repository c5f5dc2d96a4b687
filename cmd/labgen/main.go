// Command labgen writes each lab folder's suite_test.go from labtest.Suite,
// the list of graded tests. Run it from the repository's root after adding,
// removing or renaming a test:
//
//	go run ./cmd/labgen
package main

import (
	"log"
	"os"
	"path/filepath"

	"raftlabs/labtest"
)

func main() {
	log.SetFlags(0)
	for _, lab := range labtest.Labs {
		path := filepath.Join(lab.Dir, "suite_test.go")
		if err := os.WriteFile(path, labtest.SuiteFile(lab.Number), 0o644); err != nil {
			log.Fatalf("labgen: %v (run it from the repository's root)", err)
		}
		log.Printf("wrote %s", path)
	}
}
