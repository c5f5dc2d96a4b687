// Package classroom sets the course up on the platforms classes already
// use: a Gradescope autograder bundle (setup.sh, run_autograder and a
// student's copy of the course, zipped as Gradescope wants it) and a GitHub
// Classroom autograding workflow that runs the grader once per lab.
// cmd/handout writes both; docs/instructors.md walks through each
// platform's setup.
//
// # Usage
//
//	go run ./cmd/handout -gradescope autograder.zip lab2   // Gradescope, one assignment per lab
//	go run ./cmd/handout -classroom DIR                    // a template repository with the workflow
//
// The workflow is generated from labtest.Labs and labtest.Suite, so a new
// lab gets its step and its points without an edit here; classroom.yml in
// this folder is the generated workflow, written by go run ./cmd/labgen
// (with the rest of what a reweighting changes), kept current by a test
// and checked by actionlint (classroom/actionlint, a module of its own so that nothing
// else in the course needs it).
package classroom
