#!/bin/sh
# setup.sh: Gradescope runs this once, as root, when it builds the
# autograder's image. It makes sure Go 1.25 or later is there, then
# downloads the modules the grader uses and grades the course's skeleton
# once, so that each submission is graded without the network and without
# a cold build.
#
# Where Go comes from, in order:
#   1. the image: a go on the PATH (or in /usr/local/go) that is 1.25 or later;
#   2. the bundle: a Go release tarball (go1.25.*.linux-amd64.tar.gz, from
#      https://go.dev/dl/) put next to this file before zipping;
#   3. the distribution's packages: the newest golang-1.NN-go (or golang-go)
#      that apt offers. A go of 1.21 or later that is older than the course
#      asks for fetches the toolchain go.mod names by itself (GOTOOLCHAIN).
set -eu
source_dir=${AUTOGRADER_ROOT:-/autograder}/source
cd "$source_dir"
# Where a Go installed below goes (the tarball's, or a link to apt's).
export PATH="$PATH:/usr/local/go/bin:/usr/local/bin"

# go_minor prints the minor version of the go on the PATH (25 for go1.25.3),
# or nothing.
go_minor() {
	v=$(go env GOVERSION 2>/dev/null) || return 0
	v=${v#go1.}
	echo "${v%%[!0-9]*}"
}

minor=$(go_minor)
if [ -z "$minor" ] || [ "$minor" -lt 25 ]; then
	tarball=$(ls go1.*.linux-*.tar.gz 2>/dev/null | tail -n 1 || true)
	if [ -n "$tarball" ]; then
		echo "setup.sh: installing Go from the bundle's $tarball"
		rm -rf /usr/local/go && tar -C /usr/local -xzf "$tarball" && rm -f "$tarball"
	else
		echo "setup.sh: installing Go from the distribution's packages"
		apt-get update -q
		pkg=$(apt-cache search --names-only '^golang-1\.[0-9]+-go$' | cut -d' ' -f1 | sort -t. -k2 -n | tail -n 1)
		apt-get install -y -q "${pkg:-golang-go}"
		if [ -n "$pkg" ]; then
			ver=${pkg#golang-}
			ver=${ver%-go}
			mkdir -p /usr/local/bin
			ln -sf "/usr/lib/go-$ver/bin/go" /usr/local/bin/go
		fi
	fi
	minor=$(go_minor)
fi
if [ -z "$minor" ]; then
	echo "setup.sh: no working Go; the course needs Go 1.25 or later (put a release tarball from https://go.dev/dl/ in the bundle)" >&2
	exit 1
fi
if [ "$minor" -lt 21 ]; then
	echo "setup.sh: $(go version) is too old to fetch the Go the course needs (1.25 or later) by itself; put a release tarball from https://go.dev/dl/ in the bundle" >&2
	exit 1
fi
go version

# The modules the grader uses; then the course's skeleton graded once as a
# submission, exactly as run_autograder grades one (one quick test of each
# lab): grade.sh builds the grader where it keeps it, and the grader builds
# each lab's test binary as it does for a submission (with -trimpath, in a
# fresh copy of the course), which puts the standard library and the harness
# into the build cache as that build wants them. A plain go build or go vet
# here would not: their cache entries are not -trimpath's, and the first
# submission would compile the standard library again.
go mod download
chmod +x "$source_dir/grade.sh"
start=$(date +%s)
# (The skeleton fails that test: RAFTLABS_TRACE=off keeps its traces out of
# the image's temporary folder.)
RAFTLABS_TRACE=off ./grade.sh --submission "$source_dir" --runs 1 --run '^TestInitialElectionLab1$' >/dev/null 2>&1 || true
echo "setup.sh: the build cache is warm ($(($(date +%s) - start))s)"
echo "setup.sh: ready"
