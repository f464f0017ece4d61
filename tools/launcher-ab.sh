#!/usr/bin/env bash
# A/B of the launcher on a one-off run: `bin/close-task-bulk --once` on the demo's 15-row example
# (examples/complete-tasks.csv), two unpacked distributions run in turn (interleaved, so both see the same load),
# each with its own class data archive made by a first run that is not counted. Prints every run and the medians
# of wall time and CPU time (user + sys, ms). Not part of the tests (docs/BENCHMARKS.md says when it was used).
#   tools/launcher-ab.sh A_HOME B_HOME [ROUNDS]     e.g. two `tar xzf target/close-task-bulk-*.tar.gz` of two builds
set -euo pipefail
a=$(cd "$1" && pwd); b=$(cd "$2" && pwd); rounds=${3:-10}
emu=; tmp=$(mktemp -d); trap 'kill "$emu" 2>/dev/null; rm -rf "$tmp"' EXIT
java -Xmx256m -cp "$a/lib/*" closetaskbulk.emulator.CloseEmulator demo 0 > "$tmp/emulator" &
emu=$!
until [ -s "$tmp/emulator" ]; do sleep 0.2; done
export CLOSE_BASE_URL=$(head -1 "$tmp/emulator") CLOSE_API_KEY=demo
unset JAVA_OPTS JDK_JAVA_OPTIONS
n=0
once() { # label home: one run in a fresh folder; every run flips the tasks, so each one updates all 15
  n=$((n + 1)); w=$tmp/run$n; mkdir -p "$w/data/inbox"
  sed "s/,true\$/,$([ $((n % 2)) = 0 ] && echo true || echo false)/" "$2/examples/complete-tasks.csv" > "$w/data/inbox/f.csv"
  touch -d '-1 min' "$w/data/inbox/f.csv" # older than bulk.read-lock-min-age: taken at once
  TIMEFORMAT='%3R %3U %3S'
  { time (cd "$w" && CLOSE_TASK_BULK_CDS=$tmp/cds-$1 "$2/bin/close-task-bulk" --once > out.log 2>&1); } 2> "$w/time"
  grep -q 'done, 15 rows' "$w/out.log" || { echo "$1: the run did not end as expected:" >&2; cat "$w/out.log" >&2; exit 1; }
  read -r real user sys < "$w/time"
  echo "$1 $(awk -v r="$real" -v u="$user" -v s="$sys" 'BEGIN { printf "%d %d", r * 1000, (u + s) * 1000 }')"
}
once A "$a" > /dev/null; once B "$b" > /dev/null # the class data archives
for r in $(seq "$rounds"); do once A "$a"; once B "$b"; done | tee "$tmp/runs"
for v in A B; do
  for col in 2 3; do
    awk -v v=$v -v c=$col '$1 == v { print $c }' "$tmp/runs" | sort -n | awk -v v=$v -v c=$col \
      '{ x[NR] = $1 } END { printf "%s median %s: %d ms\n", v, c == 2 ? "wall" : "cpu ", x[int((NR + 1) / 2)] }'
  done
done
