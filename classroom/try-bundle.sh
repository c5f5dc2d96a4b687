#!/bin/sh
# try-bundle.sh: runs a Gradescope bundle as Gradescope would, on a Linux
# machine, as root: setup.sh once, then run_autograder on one submission,
# twice, as the first and second submissions of an assignment, with both
# times: the first must not pay for a cold build (within 2x of the second;
# it exits 1 otherwise).
# It works in a private mount namespace (unshare -m) in which /usr/local is
# empty, so the machine's own Go in /usr/local/go is hidden and setup.sh
# has to install one, /autograder is a scratch folder, and the build cache
# and grade.sh's (XDG_CACHE_HOME) start empty in it, as in a new image (the
# module cache stays the machine's, so no network is needed); nothing
# outside changes, except that apt, if setup.sh falls back to it, installs
# its package for real.
#
#	sudo classroom/try-bundle.sh BUNDLE.zip SUBMISSION [GO-TARBALL]
#
# SUBMISSION is a folder as a student uploads it: their tree, or a lab's
# files. GO-TARBALL, a release from https://go.dev/dl/, goes in the bundle
# beside setup.sh, as docs/instructors.md suggests.
set -eu
if [ "${1:-}" = "--inside" ]; then
	shift
	bundle=$1 submission=$2 tarball=${3:-}
	mount -t tmpfs tmpfs /usr/local
	mount -t tmpfs tmpfs /autograder
	mkdir -p /autograder/source /autograder/submission /autograder/results
	cd /autograder/source
	unzip -q "$bundle"
	if [ -n "$tarball" ]; then
		cp "$tarball" .
	fi
	cp -R "$submission"/. /autograder/submission/
	export PATH=/usr/sbin:/usr/bin:/sbin:/bin
	export XDG_CACHE_HOME=/autograder/.cache
	echo "try-bundle: setup.sh (go before it: $(command -v go || echo none))"
	start=$(date +%s)
	sh ./setup.sh
	echo "try-bundle: setup.sh took $(($(date +%s) - start))s"
	for n in first second; do
		start=$(date +%s.%N)
		./run_autograder >/dev/null 2>&1
		took=$(awk "BEGIN { printf \"%.1f\", $(date +%s.%N) - $start }")
		echo "try-bundle: run_autograder, $n submission: ${took}s; results.json:" \
			$(grep -m 2 -E "\"(score|execution_time)\"" /autograder/results/results.json)
		eval "took_$n=$took"
	done
	ratio=$(awk "BEGIN { printf \"%.2f\", $took_first / $took_second }")
	echo "try-bundle: the first submission took ${ratio}x the second's"
	if awk "BEGIN { exit !($ratio > 2) }"; then
		echo "try-bundle: more than 2x: setup.sh left the first submission a cold build" >&2
		exit 1
	fi
	exit 0
fi
if [ $# -lt 2 ]; then
	echo "usage: sudo $0 BUNDLE.zip SUBMISSION [GO-TARBALL]" >&2
	exit 2
fi
abs() { (cd "$(dirname "$1")" && echo "$PWD/$(basename "$1")"); }
mkdir -p /autograder
exec unshare -m sh "$(abs "$0")" --inside "$(abs "$1")" "$(abs "$2")" ${3:+"$(abs "$3")"}
