#!/usr/bin/env bash
# Two cutover binaries side by side on one run: CPU time and instruction counts, same output.
#
#   bash benches/side_by_side.sh OLD_BINARY NEW_BINARY
#   RUNS=5 REPS=20 CALLGRIND_REPS="2 20" SCENARIO=bpos-2011 bash benches/side_by_side.sh A B
#
# Each binary runs `run SCENARIO --reps REPS --threads 1 --no-charts -q` RUNS times (default 3),
# the two interleaved so that a change of load on a shared machine hits both alike; the figure is
# the best (smallest) user + system CPU time of the runs, from /usr/bin/time. Then each runs under
# `valgrind --tool=callgrind` once per count in CALLGRIND_REPS (default "2"; "" skips it): the
# instructions executed by the whole program, which do not depend on the load. Last, the two
# runs' replications.csv must agree in every column both have (the script fails otherwise), and
# each other CSV file is said to be byte-identical or not (a newer binary may write more).
set -euo pipefail

if [ $# -ne 2 ]; then
    echo "usage: $0 OLD_BINARY NEW_BINARY" >&2
    exit 2
fi
old=$(realpath "$1")
new=$(realpath "$2")
runs="${RUNS:-3}"
reps="${REPS:-20}"
callgrind_reps="${CALLGRIND_REPS-2}"
scenario="${SCENARIO:-bpos-2011}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The CPU seconds (user + system) of one run of binary $1 writing into $2.
cpu() {
    /usr/bin/time -f '%U %S' -o "$work/time" \
        "$1" run "$scenario" --reps "$reps" --threads 1 --no-charts -q --out "$2" >/dev/null
    awk '{ printf "%.2f\n", $1 + $2 }' "$work/time"
}

# The instructions callgrind counts for binary $1 running $2 replications.
instructions() {
    valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.out" \
        "$1" run "$scenario" --reps "$2" --threads 1 --no-charts -q --out "$work/cg" \
        2>"$work/callgrind.log" >/dev/null
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$work/callgrind.log"
}

best() { sort -g | head -n 1; }

echo "scenario $scenario, $reps replications, 1 thread, $runs runs each (interleaved); $(nproc) cores, $(uptime | sed 's/.*load/load/')"
: >"$work/old.times"
: >"$work/new.times"
for i in $(seq "$runs"); do
    cpu "$old" "$work/old" >>"$work/old.times"
    cpu "$new" "$work/new" >>"$work/new.times"
done
old_cpu=$(best <"$work/old.times")
new_cpu=$(best <"$work/new.times")
echo "CPU seconds (user + sys), each run:  old $(paste -sd' ' "$work/old.times")  new $(paste -sd' ' "$work/new.times")"
echo "CPU seconds, best of $runs:           old $old_cpu  new $new_cpu  ratio $(awk -v a="$old_cpu" -v b="$new_cpu" 'BEGIN { printf "%.2f", a / b }')x"

for n in $callgrind_reps; do
    a=$(instructions "$old" "$n")
    b=$(instructions "$new" "$n")
    echo "instructions, --reps $n:           old $a  new $b  ratio $(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", a / b }')x"
done

# replications.csv: every column the two files share must hold the same values in every row (a
# newer binary may add columns; values must not move). The other CSV files: identical or not.
python3 - "$work/old" "$work/new" <<'PY'
import csv, os, sys
old_dir, new_dir = sys.argv[1:]
def read(d):
    with open(os.path.join(d, "replications.csv"), newline="") as f:
        return list(csv.DictReader(f))
old, new = read(old_dir), read(new_dir)
shared = [c for c in old[0] if c in new[0]]
moved = [c for c in shared if any(a[c] != b[c] for a, b in zip(old, new))]
if len(old) != len(new) or moved:
    sys.exit(f"replications.csv: values differ in {moved or 'the number of rows'}")
gone = [c for c in old[0] if c not in new[0]]
print(f"replications.csv: the {len(shared)} shared columns equal in all {len(old)} rows "
      f"(old {len(old[0])} columns, new {len(new[0])}{'; only in old: ' + ', '.join(gone) if gone else ''})")
names = sorted(set(os.listdir(old_dir)) | set(os.listdir(new_dir)))
for name in (n for n in names if n.endswith(".csv")):
    a, b = (os.path.join(d, name) for d in (old_dir, new_dir))
    if not (os.path.exists(a) and os.path.exists(b)):
        print(f"  {name}: written by one binary only")
    else:
        same = open(a, "rb").read() == open(b, "rb").read()
        print(f"  {name}: {'byte-identical' if same else 'differs'}")
PY
