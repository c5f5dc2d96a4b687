// Command variants checks the course's suites against known-buggy versions
// of the reference solution: a suite is only as good as the bugs it catches.
//
// Each file in solutions/variants describes one bug in Raft terms, names
// the lab whose suite must catch it, and gives search-and-replace hunks
// that put the bug into the reference's files. For each variant the command
// applies the hunks in memory, builds the lab's test binary against the
// patched reference once (grading.Build with an -overlay; nothing on disk
// changes), runs the lab's whole suite N times, each test as a process of
// its own (grading.RunTest, whose result comes from the harness), and
// counts the runs in which the suite failed: the runs that killed the
// variant. It prints a table of kill rates and of the tests that failed
// most often.
//
// # Usage
//
//	go run ./cmd/variants [-runs N] [-check] [-race] [variant...]
//
// With no variant named it runs them all. -runs is 20 by default, 10 with
// -check. -check exits 1 if any variant survives even one of its runs,
// which means a lab's suite can miss a bug it is meant to catch; the
// course's self-test runs it. -list prints the variants and their
// descriptions; -v prints each run as it ends, with its first verdict;
// -dir reads variants from another folder, for trying one out.
//
//	go run ./cmd/variants -check -rules [variant...]
//	go run ./cmd/variants -rules
//
// -rules writes docs/rules.md, the table of rules: every rule of Figures
// 2 and 13 and of §5.4.2 and §7 (rules.go), the variants that break each,
// and each variant's kill rate, the tests that failed first and whether
// its first verdict names its rule. With -check it records the
// measurements of the variants it ran and keeps the others'; alone it
// runs nothing and only rewrites the page. -check also fails if a variant
// names no rule, if a rule has neither a variant nor a reason it cannot be
// tested here, or if a variant's first verdict lacks the words its
// verdict lines claim.
//
//	go run ./cmd/variants -submissions DIR [-size N] [variant...]
//
// writes a class for measuring the grader instead: N submission folders
// (100 by default), each a student's tree with the Raft in every lab folder
// as package raft, and the key/value service (solutions/kv, as package raft
// on that Raft) beside it in lab 5's; the odd ones the reference and the
// even ones the named variants (all of them by default) in turn. ./grade.sh --class DIR grades
// them; docs/instructors.md has the numbers.
//
// A variant whose hunk's search text is no longer found exactly once in
// the reference is an error in every mode: the reference has changed, and
// the variant must be brought up to date rather than silently test nothing.
//
// # The variant format
//
//	# Votes granted to a stale term.
//	#
//	# Why it is wrong, citing Figure 2 or the section of the paper.
//	lab 1
//	rule vote-1
//	verdict RequestVote, rule 1
//
//	replace in solutions/election.go
//		if args.Term < rf.currentTerm {
//			return
//		}
//	with
//	end
//
// The leading # lines are the description; its first line names the bug.
// "lab N" is the lab whose suite must fail. Each "rule ID" line names a
// rule of rules.go the bug breaks; each "verdict WORDS" line gives words
// that, found in the first failing test's verdict, show that the verdict
// names the rule; a variant whose first verdict cannot name its rule has,
// instead, "unnamed WHY" lines that say why, which the table of rules
// lists (-check fails if a variant that can be caught has neither). An
// optional line "equivalent"
// marks a bug that the reference never exercises, so that no test can catch
// it (an equivalent mutant, in mutation testing's words); the description
// must say why, with the evidence. Such a variant still has to apply, and
// -check then requires that it survive: a suite that fails on it is flaky,
// or the reference has changed so that the bug can now be caught. Each hunk runs from "replace in
// FILE" (a path from the repository's root) to "end"; the lines before
// "with" are the search text and the lines after it the replacement, both
// taken exactly as written, tabs included, and matched as whole lines.
// Hunks apply in order, each to the file as the earlier ones left it. Between
// hunks, # comments and blank lines may explain them.
package main
