#!/usr/bin/env bash
# A real one-node Slurm cluster on this machine, and `cutover sweep --slurm` run on it: the merged
# sweep must be byte-identical to a local one, and a failed task, or one stopped by SIGTERM as at
# its time limit, must be mended by `--resume`.
# Debian only (installs slurm-wlm and munge when missing); run as root, as CI does. Everything
# it starts lives in a temporary folder and is stopped by process id on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
started=$SECONDS

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null \
  || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends slurm-wlm munge
fi
cargo build --locked --release --quiet
cutover=$root/target/release/cutover

# A short path, for the Unix sockets of munge and slurmd (at most 107 bytes): the first writable
# of /tmp, /var/tmp and $TMPDIR.
for base in /tmp /var/tmp "${TMPDIR:-/nonexistent}"; do
  [ -d "$base" ] && [ -w "$base" ] && [ "${#base}" -le 40 ] && break
done
work=$(mktemp -d "$base/cutover-slurm.XXXXXX")
pids=()
stop_daemons() {
  local status=$?
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  if [ "$status" -ne 0 ]; then
    for log in "$work"/*.log; do
      echo "--- $log" >&2
      tail -n 30 "$log" >&2 || true
    done
  fi
  rm -rf "$work"
  exit "$status"
}
trap stop_daemons EXIT

# Munge: a fresh key and a daemon of our own on a socket of our own (-f: CI runs as root).
mkdir -m 0700 "$work/munge"
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
chmod 0400 "$work/munge/munge.key"
munged -F -f --key-file="$work/munge/munge.key" --socket="$work/munge/munge.socket" \
  --pid-file="$work/munge/munged.pid" --seed-file="$work/munge/munged.seed" \
  --log-file="$work/munged.log" >"$work/munged.out" 2>&1 &
pids+=($!)

# One node: this machine, with its real CPU count and memory; no accounting, no cgroups.
host=$(hostname -s)
cpus=$(nproc)
memory=$(free -m | awk '/^Mem:/ { print $2 }')
mkdir -p "$work/state" "$work/spool"
export SLURM_CONF=$work/slurm.conf
cat > "$SLURM_CONF" <<CONF
ClusterName=cutover-test
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=${CUTOVER_SLURMCTLD_PORT:-6817}
SlurmdPort=${CUTOVER_SLURMD_PORT:-6818}
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$work/munge/munge.socket
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
SchedulerParameters=sched_interval=2
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
slurmctld -D -i -f "$SLURM_CONF" >"$work/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" >"$work/slurmd.out" 2>&1 &
pids+=($!)

for _ in $(seq 60); do
  state=$(sinfo -h -N -o %T 2>/dev/null || true)
  [ "$state" = idle ] && break
  sleep 1
done
if [ "$state" != idle ]; then
  echo "the node did not become idle (state: ${state:-unknown})" >&2
  exit 1
fi
echo "slurm: node $host idle ($cpus CPUs, $memory MB) after $((SECONDS - started)) s"

grid=tests/slurm/grid.toml
same_results() {
  for file in replications.csv summary.csv; do
    cmp "$1/$file" "$2/$file"
  done
  echo "slurm: $2 is byte-identical to the local sweep"
}
"$cutover" sweep "$grid" --out "$work/local" --no-charts --quiet

# Three tasks and a merge, waited for.
"$cutover" sweep "$grid" --slurm 3 --wait --no-charts --out "$work/cluster" | tee "$work/cluster.out"
grep -q "submitted job array [0-9]* (tasks 1-3) and merge job [0-9]*" "$work/cluster.out"
same_results "$work/local" "$work/cluster"

# A task that fails: a file stands where the folder of shard 2 should be. (--resume, because a
# plain submission refuses a folder that already holds shards.) The merge can then never start,
# and --wait says which task failed and exits 1.
failing=$work/failing
mkdir -p "$failing/shards"
: >"$failing/shards/2"
status=0
"$cutover" sweep "$grid" --slurm 3 --resume --wait --no-charts --out "$failing" \
  >"$work/failing.out" 2>&1 || status=$?
cat "$work/failing.out"
[ "$status" -eq 1 ] || { echo "a failed task: exit code $status, not 1" >&2; exit 1; }
grep -q "task 2 ended FAILED: Error: cannot write .*shards/2" "$work/failing.out"
[ ! -e "$failing/replications.csv" ]

# Mended, --resume runs only task 2 again and a new merge (cancelling the old one).
rm "$failing/shards/2"
"$cutover" sweep "$grid" --slurm 3 --resume --wait --no-charts --out "$failing" \
  | tee "$work/resumed.out"
grep -q "cancelled merge job" "$work/resumed.out"
grep -q "submitted job array [0-9]* (tasks 2) and merge job" "$work/resumed.out"
same_results "$work/local" "$failing"

# A task stopped as at its time limit: Slurm sends SIGTERM to the batch step (here by scancel, at
# once, rather than after a minute's limit), then SIGKILL after KillWait. The task finishes the
# replication under way, keeps its finished cells, says so in its log naming SIGTERM and exits
# 143 (128 + 15); --resume completes the sweep. The second cell (50 replications of 20,000
# tenants, seconds of work) is under way when the signal comes.
long=tests/slurm/long.toml
stop_started=$SECONDS
"$cutover" sweep "$long" --out "$work/long-local" --no-charts --quiet
stopped=$work/stopped
"$cutover" sweep "$long" --slurm 1 --no-charts --out "$stopped" | tee "$work/stopped.out"
array=$(sed -n 's/^submitted job array \([0-9]*\) .*/\1/p' "$work/stopped.out")
for _ in $(seq 600); do
  [ -e "$stopped/shards/1/cells/cell-0000.csv" ] && break
  sleep 0.1
done
[ -e "$stopped/shards/1/cells/cell-0000.csv" ] || { echo "the first cell was never written" >&2; exit 1; }
scancel --full --signal=TERM "${array}_1"
for _ in $(seq 120); do
  [ -z "$(squeue -h -j "$array" 2>/dev/null)" ] && break
  sleep 1
done
cat "$stopped/slurm/shard-1.log"
# Slurm records the task's own exit: 143 from cutover itself, not a kill by the signal (0:15).
scontrol show job "${array}_1" > "$work/stopped-job.txt"
grep -q "ExitCode=143:0" "$work/stopped-job.txt" \
  || { echo "Slurm did not record exit 143 for the stopped task:" >&2; cat "$work/stopped-job.txt" >&2; exit 1; }
grep -q "^SIGTERM received: finishing the replications under way" "$stopped/slurm/shard-1.log"
grep -q "^Error: interrupted by SIGTERM; the finished cells in $stopped/shards/1 are kept, run again with --resume" \
  "$stopped/slurm/shard-1.log"
left=$(cd "$stopped/shards/1" && find . -type f | sort | tr '\n' ' ')
[ "$left" = "./cells/cell-0000.csv ./grid.json " ] || { echo "a stopped task left: $left" >&2; exit 1; }
"$cutover" sweep "$long" --slurm 1 --resume --wait --no-charts --out "$stopped" \
  | tee "$work/stopped-resumed.out"
grep -q "submitted job array [0-9]* (tasks 1) and merge job" "$work/stopped-resumed.out"
same_results "$work/long-local" "$stopped"
echo "slurm: a task stopped by SIGTERM, resumed, in $((SECONDS - stop_started)) s"
echo "slurm: passed in $((SECONDS - started)) s"
