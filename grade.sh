#!/bin/sh
# grade.sh grades the labs: ./grade.sh [flags] [lab...]. It builds and runs
# cmd/grade (go doc ./cmd/grade, or ./grade.sh -h, lists the flags).
# ./grade.sh sweep lab [test...] runs cmd/sweep: a lab's tests across many
# seeds (go doc ./cmd/sweep).
#
# It builds the grader (see below where) and runs it, rather than "go run",
# which would turn the grader's exit status (0 full marks, 1 not, 2 usage)
# into 1. Nothing is written into the course's folder, so a read-only
# checkout grades. It runs the grader from your
# folder, so relative paths in flags mean what you typed, and tells it
# where the course is in RAFTLABS_ROOT.
set -e
root=$(cd "$(dirname "$0")" && pwd)

if ! command -v go >/dev/null 2>&1; then
	echo "grade.sh: the go command is not on your PATH. The course needs Go 1.25 or later: https://go.dev/dl/" >&2
	exit 2
fi
# In the course's folder go may switch to the toolchain go.mod asks for; it
# reports the version it will use, or fails if it cannot get it.
if ! version=$(cd "$root" && go env GOVERSION 2>&1); then
	echo "grade.sh: go could not start:" >&2
	echo "$version" >&2
	echo "The course needs Go 1.25 or later: https://go.dev/dl/" >&2
	exit 2
fi
release=${version#go}
major=${release%%.*}
minor=${release#*.}
minor=${minor%%[!0-9]*}
case "$major.$minor" in
[0-9]*.[0-9]*) ;;
*) major=1 minor=99 ;; # not a release (a development build): let go decide
esac
if [ "$major" -eq 1 ] && [ "$minor" -lt 25 ]; then
	echo "grade.sh: this is $version; the course needs Go 1.25 or later (for testing/synctest): https://go.dev/dl/" >&2
	exit 2
fi

# The grader is built outside the course's folder, so that a read-only copy
# of the course (a shared class install, a Gradescope image) grades: into
# the user's cache, one folder per course copy, where go build does nothing
# when the grader is up to date; or, if there is no writable cache, into a
# temporary folder removed at exit.
cache=${XDG_CACHE_HOME:-${HOME:-/nonexistent}/.cache}/raftlabs/grade-$(printf '%s' "$root" | cksum | cut -d' ' -f1)
if mkdir -p "$cache" 2>/dev/null && [ -w "$cache" ]; then
	bin=$cache/grade
else
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/raftlabs-grade.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	bin=$tmp/grade
fi
# ./grade.sh sweep [flags] lab [test...] runs cmd/sweep instead: many seeds
# of one lab's tests (go doc ./cmd/sweep).
cmd=grade
if [ "${1:-}" = sweep ]; then
	cmd=sweep
	shift
	bin=$(dirname "$bin")/sweep
fi
(cd "$root" && go build -o "$bin" ./cmd/$cmd)
# The grader takes this shell's place when its binary is cached, so that a
# signal sent to grade.sh (timeout, a batch system's SIGTERM) reaches it:
# it then stops its test processes and removes its temporary copies.
if [ -z "${tmp:-}" ]; then
	RAFTLABS_ROOT=$root exec "$bin" "$@"
fi
status=0
RAFTLABS_ROOT=$root "$bin" "$@" || status=$?
exit "$status"
