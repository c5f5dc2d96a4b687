// Command labgen writes what is generated from labtest.Suite, the list of
// graded tests: each lab folder's suite_test.go (and fuzz_test.go, its fuzz
// targets, from labtest.FuzzTargets), and the table of tests in
// each lab's handout (docs/<lab folder>.md), from the scenarios' doc
// comments and points. Run it from the repository's root after adding,
// removing, renaming or re-describing a test:
//
//	go run ./cmd/labgen
//
// It also writes the GitHub Classroom workflow, classroom/classroom.yml,
// whose steps carry each lab's points. It also brings the grader tables pasted in the documents (the reference
// runs, too long to rerun) to the suite's points and totals (points.go),
// and refuses to write anything while a lab's tests do not sum to the
// lab's points (labtest.CheckPoints).
//
// With -samples it also reruns the commands behind the handouts' sample
// outputs and writes what they print now (samples.go): a few minutes, as
// each known-buggy variant shown needs a build of its own.
//
//	go run ./cmd/labgen -samples
//	go run ./cmd/labgen -samples-in docs/lab1-election.md   (only that handout's samples)
//
// With -costs it records instead the reference's mean RPCs, bytes and time
// on the test's clock in every test (labtest/internal/cost/reference.go), which a
// student's runs are compared with: run it after changing a test or the
// reference, about a minute per run of the suites.
//
//	go run ./cmd/labgen -costs
//	go run ./cmd/labgen -costs -costs-labs lab5   (rerun one lab; keep the others' costs)
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"raftlabs/classroom"
	"raftlabs/labtest"
	"raftlabs/labtest/generate"
)

func main() {
	log.SetFlags(0)
	samples := flag.Bool("samples", false, "also rerun the commands behind the handouts' sample outputs")
	costs := flag.Bool("costs", false, "only record the reference's cost in every test ("+costsFile+"), from -costs-runs runs of each")
	costsRuns := flag.Int("costs-runs", 5, "with -costs, the runs of each test to average")
	costsLabs := flag.String("costs-labs", "", "with -costs, rerun only these labs (comma-separated, e.g. lab5) and keep the others' recorded costs")
	flag.Parse()
	if *costs {
		if err := writeCosts(".", *costsRuns, *costsLabs); err != nil {
			log.Fatalf("labgen: %v (run it from the repository's root)", err)
		}
		return
	}
	if *samplesIn != "" {
		// Only those documents' samples: the suites and tables stay as they are.
		if err := writeSamples("."); err != nil {
			log.Fatalf("labgen: %v", err)
		}
		return
	}
	if err := labtest.CheckPoints(); err != nil {
		log.Fatalf("labgen: the points do not add up; nothing written:\n%v", err)
	}
	docs, err := generate.SuiteDocs(".")
	if err != nil {
		log.Fatalf("labgen: %v (run it from the repository's root)", err)
	}
	if err := writeGenerated(".", docs); err != nil {
		log.Fatalf("labgen: %v (run it from the repository's root)", err)
	}
	if *samples {
		if err := writeSamples("."); err != nil {
			log.Fatalf("labgen: %v", err)
		}
	}
}

// writeGenerated writes, in the course at root, everything made from
// labtest.Suite: each lab folder's suite_test.go and fuzz_test.go, the
// table of tests in each lab's handout (docs are the scenarios'
// descriptions, from generate.SuiteDocs), the suite's points in the grader
// tables and the tables of tests and points pasted in README.md and docs/,
// and the GitHub Classroom workflow, whose steps carry each lab's points.
func writeGenerated(root string, docs map[string]string) error {
	for _, lab := range labtest.Labs {
		path := filepath.Join(root, lab.Dir, "suite_test.go")
		if err := os.WriteFile(path, generate.SuiteFile(lab.Number), 0o644); err != nil {
			return err
		}
		log.Printf("wrote %s", path)
		fuzzPath := filepath.Join(root, lab.Dir, "fuzz_test.go")
		if err := os.WriteFile(fuzzPath, generate.FuzzFile(lab.Number), 0o644); err != nil {
			return err
		}
		log.Printf("wrote %s", fuzzPath)

		handout := filepath.Join(root, "docs", lab.Dir+".md")
		doc, err := os.ReadFile(handout)
		if err != nil {
			return err
		}
		updated, err := generate.WithTestTable(string(doc), generate.TestTable(lab.Number, docs))
		if err != nil {
			return fmt.Errorf("%s: %v", handout, err)
		}
		if err := os.WriteFile(handout, []byte(updated), 0o644); err != nil {
			return err
		}
		log.Printf("wrote the table of tests in %s", handout)
	}
	if err := writeSuitePoints(root); err != nil {
		return err
	}
	workflow := filepath.Join(root, "classroom", "classroom.yml")
	if err := os.WriteFile(workflow, classroom.Workflow(labtest.Labs), 0o644); err != nil {
		return err
	}
	log.Printf("wrote %s", workflow)
	return nil
}
