#!/bin/sh
# classbench.sh: measures ./grade.sh --class on a generated class, for the
# numbers in docs/instructors.md. It writes SIZE submissions (half the
# reference, half the known-buggy variants of the labs graded, each handed
# in as a student's code; go run ./cmd/variants -submissions), grades them
# at the class's runs (grade.conf; RUNS=N in the environment for --runs N),
# and prints the wall time, the peak of the memory that the grader and
# every process under it held together (resident, sampled every 0.2 s), and
# the free disk of the temporary folder's file system before and after.
# With -interrupt SECONDS it interrupts the grader (SIGINT, as Ctrl-C does)
# after that many seconds, then runs the same command again, which resumes.
# Run it from the course's root, on an otherwise idle machine:
#
#	classroom/classbench.sh [-interrupt SECONDS] SIZE lab...
#
# The class and its grades stay in the folder it names at the end.
set -eu
interrupt=
if [ "${1:-}" = -interrupt ]; then
	interrupt=${2:?usage: classroom/classbench.sh [-interrupt SECONDS] SIZE lab...}
	shift 2
fi
size=${1:?usage: classroom/classbench.sh [-interrupt SECONDS] SIZE lab...}
shift
labs=$*
pattern=$(echo "$labs" | sed 's/lab\([0-9]\)/\1/g; s/ /|/g')
names=$(go run ./cmd/variants -list | sed -En "s/^([a-z0-9-]+) \\(lab ($pattern)\\)$/\1/p")
work=$(mktemp -d)
go run ./cmd/variants -submissions "$work/class" -size "$size" $names

# rss_under PID prints the resident kilobytes of PID and all its
# descendants.
rss_under() {
	ps -e -o pid=,ppid=,rss= | awk -v root="$1" '
		{ parent[$1] = $2; rss[$1] = $3 }
		END {
			for (p in rss) {
				q = p
				while (q != "" && q != root && q != 0 && q != 1) q = parent[q]
				if (q == root) sum += rss[p]
			}
			print sum + 0
		}'
}

# free_mb prints the free megabytes of the file system of the temporary
# folder (where the build cache and the copies usually are too).
free_mb() {
	df -Pk "$work" | awk 'NR == 2 { print int($4 / 1024) }'
}

# grade runs the class's grading once, sampling its memory; after $1
# seconds (if not empty) it sends SIGINT to every process of the grading,
# as Ctrl-C in a terminal does: grade.sh runs in a process group of its own
# (setsid), and the signal goes to that group, so that the grader, its
# builds and its test processes all get it at once. (Sending it to the
# grader's children alone, as this script once did, stopped a build and a
# test without stopping the grader, which then recorded the stopped build
# as a compile error.)
peak=0
grade() {
	setsid ./grade.sh --class "$work/class" --out "$work/grades" ${RUNS:+--runs "$RUNS"} $labs >> "$work/grade.log" 2>&1 &
	gradesh=$!
	began=$(date +%s)
	while kill -0 "$gradesh" 2>/dev/null; do
		now=$(rss_under "$gradesh")
		[ "$now" -gt "$peak" ] && peak=$now
		if [ -n "$1" ] && [ $(($(date +%s) - began)) -ge "$1" ]; then
			# kill -s INT -- -PGID is the form every POSIX shell takes
			# (dash, Debian's and Ubuntu's sh, refuses kill -INT -- -PGID).
			kill -s INT -- "-$gradesh" || echo "classbench: could not interrupt the grader (process group $gradesh)" >&2
			interrupted=$(($(date +%s) - start))
			set -- ""
		fi
		sleep 0.2
	done
	wait "$gradesh" || true
}

before=$(free_mb)
start=$(date +%s)
if [ -n "$interrupt" ]; then
	grade "$interrupt"
	echo "classbench: interrupted after ${interrupted:-?}s: $(grep -c '' "$work/grades/grades.csv") lines in grades.csv;" \
		"copies left in $work/grades/.work: $(ls "$work/grades/.work" 2>/dev/null | wc -l)"
fi
grade ""
end=$(date +%s)
after=$(free_mb)
tail -n 3 "$work/grade.log"
echo "classbench: $size submissions, $labs at ${RUNS:-grade.conf's} runs: $((end - start))s of wall time, peak $((peak / 1024)) MB"
echo "classbench: free disk ${before} MB before, ${after} MB after ($((before - after)) MB used; $(du -sm "$work/grades" | cut -f1) MB of it the grades, logs and traces)"
echo "classbench: grades in $work/grades (grades.csv, grades.json, logs/, traces/)"
