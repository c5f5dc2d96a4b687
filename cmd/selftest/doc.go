// Command selftest runs the course's own tests, the ones a change to the
// course must keep passing, as one command from the repository's root:
//
//	go run ./cmd/selftest [-short] [-reference-runs N]
//
// It runs these steps in order, printing each as pass, FAIL or skip with
// its duration, and the output of each step that fails:
//
//   - gofmt: every Go file git tracks is formatted (gofmt -l prints
//     nothing);
//   - go vet ./...;
//   - go test -race of every package but the lab folders (those are the
//     students', and their tests fail until the labs are done); among them
//     cmd/doccheck's, which checks that every command the documents print
//     runs as printed;
//   - the lab skeletons compile, tests included (go vet of each lab
//     folder);
//   - each lab folder's generated suite_test.go matches labtest.Suite
//     (otherwise: go run ./cmd/labgen);
//   - the reference solution, graded in every lab folder with the race
//     detector, scores full marks;
//   - the known-buggy variants each fail the lab that should catch them
//     (go run ./cmd/variants -check), once cmd/variants exists;
//   - the GitHub Classroom workflow passes actionlint (classroom/actionlint,
//     a module of its own; skipped, with the reason, where go cannot fetch
//     actionlint);
//   - the trace viewer's page, driven in a headless Chromium
//     (cmd/traceview/browsertest, a module of its own; skipped, with the
//     reason, where there is no Chromium or go cannot fetch chromedp;
//     .ci/run installs Chromium);
//   - the students' copy: go run ./cmd/handout writes it; in it nothing of
//     the reference is left, ./grade.sh lab1 grades, ./grade.sh --reference
//     says the reference is not there, and go run ./cmd/selftest passes,
//     in full, as the copy's README gives it (about 140 s of CPU; so cmd/doccheck
//     checks the copy's documents against the copy: a command that names
//     what the copy leaves out fails there); skipped, with the reason,
//     where the course's folder is not a git checkout of the course, since
//     cmd/handout copies only the files git tracks.
//
// In a students' copy (no solutions/), the steps that need the reference
// are skipped with the line "this is the students' copy of the course".
//
// It ends with one line, "N passed, N failed", counting steps, and exits
// non-zero if a step failed. Where cgo is off (no C compiler), the race
// detector cannot run: the steps that use it run without it and say so.
//
// # Flags
//
//	-short             unit tests with -short and without -race, the reference without -race;
//	                   skip the variants and the students' copy
//	-reference-runs N  run each test of the reference N times (default 1)
//
// CI runs it from a fresh clone: .ci/run.
package main
