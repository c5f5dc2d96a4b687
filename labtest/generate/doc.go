// Package generate writes the files the course generates from
// labtest.Suite, so that a test's name, scenario, points and description
// are written once: each lab folder's suite_test.go (one test function per
// test, binding its scenario to the folder's Make) and fuzz_test.go (one
// fuzz target per labtest.FuzzTargets entry), and the table of each lab's
// tests in its handout, from the scenarios' doc comments.
//
// # Usage
//
//	os.WriteFile("lab1-election/suite_test.go", generate.SuiteFile(1), 0o644)
//	docs, err := generate.SuiteDocs(".")
//	doc, err = generate.WithTestTable(doc, generate.TestTable(1, docs))
//
// cmd/labgen writes the files; its tests, this package's and cmd/selftest
// check that the files in the tree are what it would write.
//
// # Guarantees
//
//   - The output is gofmt'ed and depends only on labtest.Suite,
//     labtest.FuzzTargets and the scenarios' doc comments: the same
//     suite, the same bytes.
//
// # Why this is a package of its own
//
// Generating files is what the course's tools do with the Suite, not what
// a test does: it reads the Suite as data and imports labtest, as kvtest
// does, and labtest never imports it. A test author reads labtest; a
// maintainer who changes how the files look reads this.
package generate
