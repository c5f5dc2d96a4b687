// Command handout writes the students' copy of the course: everything a
// student needs to do the labs and grade them, and nothing that gives the
// reference away. It also writes the course's Gradescope autograder bundle.
//
// # Usage
//
//	go run ./cmd/handout [-git] [-classroom] [-edition full|discovery] DIR
//	go run ./cmd/handout -gradescope FILE.zip [lab...]
//	go run ./cmd/handout -workflow FILE
//
// The first form writes the copy into DIR, which must not exist or be
// empty. With -git, DIR is a git repository with the copy as its one
// commit, ready to push as a template repository; with -classroom, the copy
// has GitHub Classroom's autograding workflow, .github/workflows/classroom.yml.
// With -edition discovery, the handouts are the discovery edition (below);
// the default, -edition full, is the handouts as they are.
//
// The second writes a Gradescope autograder bundle: the copy, setup.sh and
// run_autograder, zipped as Gradescope wants them. With labs named, the
// assignment grades those labs; otherwise every lab folder a submission has.
// The third writes the GitHub Classroom workflow for every lab to FILE:
// classroom/classroom.yml is written so, and a test keeps it current.
//
// # What the copy leaves out
//
// The copy is made from the files git tracks in the course's folder, and
// nothing else that lies there (a class's submissions, its grades); outside
// a git checkout, or in one that does not track the course (no go.mod among
// its tracked files there), it is refused, since there is no telling the
// course from the rest. Of those files it leaves out the instructors' page
// (docs/instructors.md), the reference solution (solutions/) and its
// known-buggy variants (cmd/variants, docs/variants.md, docs/rules.md), the
// commands that need the reference (cmd/clockbench) or maintain the course
// (cmd/labgen) or make this copy (cmd/handout, classroom/), the testdata
// folders of the harness and the
// commands (labtest/testdata holds complete and nearly complete Rafts), the
// course's test files that need any of these or use a name such a file
// declares (the package's other test files stay, and build), and .git and
// bin/.
// In the Markdown files, a block between the lines
//
//	<!-- not in the handout -->
//	<!-- end of not in the handout -->
//
// is left out, as is a line of a README code block that names what the
// copy does not have; a link to a file the copy does not have becomes its
// text. In the copy, ./grade.sh grades, go run ./cmd/selftest passes (it
// skips the steps that need the reference, and says so), and
// ./grade.sh --reference says that the reference is not there.
//
// # Editions
//
// A handout gives its design help in layers a student opens only when
// stuck: a nudge, a sharper hint, the worked design. The full edition has
// every layer. The discovery edition leaves out, besides the above, the
// blocks between the lines
//
//	<!-- worked design -->
//	<!-- end of worked design -->
//
// and between
//
//	<!-- rule to test -->
//	<!-- end of rule to test -->
//
// (the tables of which test catches which rule), so that a student finds
// the traps by their failures. Only the Markdown differs: the tests, the
// grader and its verdicts are the same in both.
package main
