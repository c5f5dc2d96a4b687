#!/bin/sh
# classbench.sh: measures ./grade.sh --class on a generated class, for the
# numbers in docs/instructors.md. It writes SIZE submissions (half the
# reference, half the known-buggy variants of the labs graded, each handed
# in as a student's code; go run ./cmd/variants -submissions), grades them
# once each, and prints the wall time and the peak of the memory that the
# grader and every process under it held together (resident, sampled
# every 0.2 s). Run it from the course's root, on an otherwise idle
# machine:
#
#	classroom/classbench.sh SIZE lab1 lab2
set -eu
size=${1:?usage: classroom/classbench.sh SIZE lab...}
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

start=$(date +%s)
./grade.sh --class "$work/class" --out "$work/grades" --runs 1 $labs > "$work/grade.log" 2>&1 &
grader=$!
peak=0
while kill -0 "$grader" 2>/dev/null; do
	now=$(rss_under "$grader")
	[ "$now" -gt "$peak" ] && peak=$now
	sleep 0.2
done
wait "$grader" || true
end=$(date +%s)
tail -n 3 "$work/grade.log"
echo "classbench: $size submissions, $labs once each: $((end - start))s of wall time, peak $((peak / 1024)) MB"
echo "classbench: grades in $work/grades (grades.csv, grades.json, logs/)"
