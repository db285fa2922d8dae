#!/usr/bin/env bash
# The documented Slurm recipe (packaging/slurm) on a real one-node Slurm:
# munged, slurmctld and slurmd from Debian's slurm-wlm and munge (installed
# by scripts/setup.sh; nothing is installed here) start on localhost in a
# temporary folder with their own config and state, and are stopped by PID
# at the end. The recipe is submitted as a user would; one shard is killed
# mid-run by a requeue and resumes from its progress; the merged CSV must be
# byte-identical to a single-process scan. Then one part is lost and that
# shard alone is rerun with SHARD_LIST, and the merge is again identical.
# Exits 77 (skipped) with the reason where the daemons cannot start.
#   slurm_scan.sh APP SOURCE
set -euo pipefail
app=$1 root=$2
skip() { echo "SKIPPED: $*"; exit 77; }
for program in munged mungekey slurmctld slurmd sbatch squeue scontrol sinfo; do
  command -v "$program" > /dev/null || skip "$program is not installed (scripts/setup.sh installs slurm-wlm and munge)"
done
[ "$(id -u)" -eq 0 ] || skip "slurmd must run as root to start jobs; this test runs as $(id -un)"

work=$(mktemp -d /tmp/attnscope-slurm.XXXXXX)
chmod 755 "$work"
pids=()
stop_daemons() {
  for pidfile in "$work"/slurmd.pid "$work"/slurmctld.pid "$work"/munge/munged.pid; do
    [ -s "$pidfile" ] && kill "$(cat "$pidfile")" 2> /dev/null || true
  done
  sleep 1
  for pidfile in "$work"/slurmd.pid "$work"/slurmctld.pid "$work"/munge/munged.pid; do
    [ -s "$pidfile" ] && kill -9 "$(cat "$pidfile")" 2> /dev/null || true
  done
}
cleanup() {
  local status=$?
  stop_daemons
  if [ $status -ne 0 ] && [ $status -ne 77 ]; then
    echo "--- logs kept in $work"
    tail -n 20 "$work"/log/*.log "$work"/out/logs/*.log 2> /dev/null || true
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
mkdir -p "$work"/{munge,state,spool,log}
chmod 700 "$work/munge"

# munge: its own key, socket and pid file; --force because the folder is not /run/munge.
mungekey -c -k "$work/munge/munge.key" 2> /dev/null
chmod 600 "$work/munge/munge.key"
munged --force --key-file="$work/munge/munge.key" --socket="$work/munge/socket" --pid-file="$work/munge/munged.pid" \
  --log-file="$work/munge/munged.log" --seed-file="$work/munge/seed" 2> "$work/log/munged.err" ||
  skip "munged did not start: $(tail -n 1 "$work/log/munged.err")"

# Two free TCP ports for the daemons.
read -r port_ctld port_d < <(python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
cpus=$(nproc)
cat > "$work/slurm.conf" <<EOF
ClusterName=attnscope-e2e
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$work/munge/socket
CredType=cred/munge
SlurmctldPort=$port_ctld
SlurmdPort=$port_d
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=1
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
MpiDefault=none
ReturnToService=2
JobRequeue=1
MinJobAge=3600
PlugStackConfig=/dev/null
NodeName=localhost NodeHostname=localhost CPUs=$cpus RealMemory=4000 State=UNKNOWN
PartitionName=e2e Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$work/slurm.conf
slurmctld -f "$SLURM_CONF" -i 2> "$work/log/slurmctld.err" || skip "slurmctld did not start: $(tail -n 1 "$work/log/slurmctld.err")"
slurmd -f "$SLURM_CONF" -N localhost 2> "$work/log/slurmd.err" || skip "slurmd did not start: $(tail -n 1 "$work/log/slurmd.err")"
for _ in $(seq 60); do
  [ "$(sinfo -h -o %T 2> /dev/null)" = idle ] && break
  sleep 0.5
done
[ "$(sinfo -h -o %T 2> /dev/null)" = idle ] || skip "the Slurm node did not come up: $(tail -n 2 "$work/log/slurmctld.log")"
echo "slurm: one node with $cpus CPUs on ports $port_ctld/$port_d"

# The scan: the bundled hybrid demo, long enough that a shard is still
# running when the test requeues it.
model=$root/resources/models/hybrid
scan=(--task letters --examples 160 --seed 7 --heads all --modes zero,mean --random 3)
"$app" scan "$model" "${scan[@]}" --quiet --csv "$work/single.csv" > /dev/null 2>&1

# Wait until `job` (one array task or a whole job) has ended.
state_of() { scontrol show job "$1" 2> /dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | sort -u | tr '\n' ' '; }
wait_until_done() {
  for _ in $(seq 1200); do
    case "$(state_of "$1")" in *PENDING* | *RUNNING* | *REQUEUED* | *CONFIGURING* | *COMPLETING* | "") sleep 0.25 ;; *) return 0 ;; esac
  done
  echo "job $1 did not end: $(state_of "$1")"
  scontrol show job "$1" | grep -E 'JobState|Reason|TRES' || true
  exit 1
}

submit() {
  env CHECKPOINT="$model" OUT="$work/out" SHARDS=4 TASK=letters EXAMPLES=160 SEED=7 HEADS=all MODES=zero,mean \
    RANDOM_HEADS=3 ATTNSCOPE="$app" CPUS=1 MEM=1G TIME=00:10:00 "$@" bash "$root/packaging/slurm/submit_scan.sh" > "$work/submit.txt"
  sed -n 's/^SCAN_JOB=\([0-9]*\) MERGE_JOB=\([0-9]*\)$/\1 \2/p' "$work/submit.txt"
}
read -r scan_job merge_job < <(submit)
[ -n "$merge_job" ] || { cat "$work/submit.txt"; exit 1; }
echo "slurm: scan job $scan_job, merge job $merge_job"

# Kill shard 2 mid-run by requeueing it once it has saved progress; a requeued
# task waits for a begin time Slurm sets, which the test moves to now.
for _ in $(seq 2400); do
  [ -e "$work/out/part-2.csv.progress" ] && break
  sleep 0.05
done
[ -e "$work/out/part-2.csv.progress" ] || { echo "shard 2 never saved progress"; exit 1; }
scontrol requeue "${scan_job}_2"
sleep 1
scontrol update jobid="${scan_job}_2" StartTime=now 2> /dev/null || true
wait_until_done "$scan_job"
wait_until_done "$merge_job"
[ "$(state_of "$merge_job")" = "COMPLETED " ] || { echo "merge job: $(state_of "$merge_job")"; cat "$work/out/logs/merge.log"; exit 1; }

log2=$work/out/logs/shard-2.log
test "$(grep -c '^=== shard 2 of 4' "$log2")" -ge 3   # started, requeued and started again, done
grep -q 'restart 1' "$log2"
grep -q 'resuming from .*part-2.csv.progress: [0-9]* of 160 examples already scored' "$log2"
for i in 0 1 2 3; do grep -q '^scan: device cpu' "$work/out/logs/shard-$i.log"; done
cmp "$work/single.csv" "$work/out/scan.csv"
grep -q '<svg' "$work/out/scan.svg"
echo "slurm: merged scan is byte-identical to the single-process scan (shard 2 resumed after a requeue)"

# A lost part: rerun that shard alone; parameters come from OUT/scan.env.
rm "$work/out/part-3.csv" "$work/out/scan.csv"
read -r scan_job merge_job < <(env -u CHECKPOINT SHARD_LIST=3 OUT="$work/out" bash "$root/packaging/slurm/submit_scan.sh" |
  sed -n 's/^SCAN_JOB=\([0-9]*\) MERGE_JOB=\([0-9]*\)$/\1 \2/p')
wait_until_done "$scan_job"
wait_until_done "$merge_job"
cmp "$work/single.csv" "$work/out/scan.csv"
echo "slurm: shard 3 rerun alone; merged scan identical again"

# A rerun that would change the scan's parameters is refused before anything is submitted.
if out=$(SHARD_LIST=1 OUT="$work/out" EXAMPLES=50 bash "$root/packaging/slurm/submit_scan.sh" 2>&1); then
  echo "submit_scan accepted other parameters for an existing scan"; exit 1
fi
echo "$out" | grep -q "already holds a scan with EXAMPLES=160 (you gave EXAMPLES=50)"
echo "slurm scan: ok"
