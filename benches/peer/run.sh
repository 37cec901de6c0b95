#!/usr/bin/env bash
# PHOLD on cutover's kernel and in SimPy, same parameters, side by side.
#
#   bash benches/peer/run.sh                      # 10,000 LPs, end 100,000 ticks (~1M events)
#   bash benches/peer/run.sh --lps 1000 --end 100000
#
# Flags are passed to both programs unchanged (see examples/phold.rs for the list); RUNS=N sets
# the number of runs of each (default 3, the median is compared). SimPy comes from PyPI: if
# python3 cannot import it, it is installed once into a venv under target/.
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ $# -eq 0 ]; then
    set -- --lps 10000 --end 100000
fi

target_dir="${CARGO_TARGET_DIR:-target}"
python=python3
if ! python3 -c 'import simpy' 2>/dev/null; then
    venv="$target_dir/peer-venv"
    if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import simpy' 2>/dev/null; then
        echo "installing simpy into $venv" >&2
        if python3 -m venv "$venv"; then
            "$venv/bin/pip" install --quiet simpy
        else
            # A Python without the venv module: fall back to the user's site-packages.
            rm -rf "$venv"
            python3 -m pip install --quiet --user simpy
        fi
    fi
    if [ -x "$venv/bin/python" ]; then
        python="$venv/bin/python"
    fi
fi

cargo build --quiet --release --locked --example phold
version=$("$python" -c 'import simpy; print(simpy.__version__)')

rate() { sed -n 's/.*events_per_s=\([0-9.]*\).*/\1/p' <<<"$1"; }
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# Three runs each, alternating, and the median rate of each: one run of the Rust side takes
# tens of milliseconds, so a single run says more about the machine's load than about the kernel.
runs=${RUNS:-3}
rust_rates=() simpy_rates=()
echo "params:  $*  (median of $runs runs each; load average $(cut -d' ' -f1-3 /proc/loadavg))"
for _ in $(seq "$runs"); do
    rust=$("$target_dir/release/examples/phold" "$@")
    simpy=$("$python" benches/peer/phold_simpy.py "$@")
    echo "cutover: $rust"
    echo "simpy:   $simpy"
    rust_rates+=("$(rate "$rust")")
    simpy_rates+=("$(rate "$simpy")")
done
a=$(printf '%s\n' "${rust_rates[@]}" | median)
b=$(printf '%s\n' "${simpy_rates[@]}" | median)
echo "simpy $version, $("$python" --version 2>&1)"
awk -v a="$a" -v b="$b" 'BEGIN {
    printf "median:  cutover %.0f events/s, SimPy %.0f events/s\n", a, b
    printf "ratio:   cutover is %.1fx SimPy\n", a / b
}'
