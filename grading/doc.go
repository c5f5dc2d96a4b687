// Package grading builds a lab's test binary and runs its tests one process
// at a time, so that a test that panics, hangs or leaks costs only itself.
// It is the engine behind grade.sh (cmd/grade), the course's self-test
// (cmd/selftest) and the known-buggy variants' runner (cmd/variants).
//
// A binary is built from a lab folder as it is, from the lab folder with the
// reference solution in place of the student's files (Source.Reference), or
// from either with some files replaced (Source.Replace, which the buggy
// variants use). Nothing on disk changes: replacements go through the go
// command's -overlay flag.
//
// # Usage
//
//	bin, err := grading.Build(root, lab, grading.Source{Reference: true}, grading.BuildOptions{Dir: tmp})
//	res := grading.RunTest(bin, labDir, test, grading.RunOptions{Timeout: 3 * time.Minute})
//	fmt.Println(res.Passed, res.Virtual, res.RPCs)
//
// RunTests runs many tests, each several times, through a pool of
// processes; FindRoot finds the course's root from any folder in it.
//
// # Untrusted code
//
// A student's submission is untrusted input, and the package keeps it in
// bounds: CheckRealFiles rejects a lab folder or file that is a symbolic
// link; CheckImports rejects what the allowlist (ImportRule, built from
// what each standard package can do) does not allow, and //go:linkname,
// //go:embed and //line directives; a build and a test process start from
// a minimal environment (BuildEnv, TestEnv) and run under resource limits
// (BuildLimits, TestLimits), which the caller passes in BuildOptions and
// RunOptions.
package grading
