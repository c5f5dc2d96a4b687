// Package actionlint checks the course's GitHub Classroom workflow
// (../classroom.yml) with actionlint, the Go ecosystem's linter for GitHub
// Actions workflows. It is a module of its own, so that nothing else in the
// course, a lab folder's go test above all, needs actionlint or the network
// to fetch it: the course's self-test runs it with
//
//	cd classroom/actionlint && go test
package actionlint
