#!/bin/bash
# Submits a sharded Gather-and-Aggregate head scan to Slurm: a job array of
# SHARDS tasks (scan_array.sbatch, one part each) and the merge as its own
# job that waits for every task (merge.sbatch). docs/scaling.md walks
# through it. Set the variables below in the environment or in a file given
# as the first argument (`submit_scan.sh my-scan.env`):
#
#   CHECKPOINT  checkpoint folder on a filesystem every node sees   (required)
#   OUT         output folder on a shared filesystem               (required)
#               it receives scan.env (the parameters), part-<i>.csv, logs/,
#               and at the end scan.csv and scan.svg
#   SHARDS      number of shards (default 8; `attnscope scan ... --plan` suggests one)
#   TASK EXAMPLES SEED HEADS MODES RANDOM_HEADS KEEP DTYPE DEVICE
#               the scan (defaults letters, 2000, 1, all, zero,mean, 20 random control heads,
#               no keep sets, float32, auto)
#   ATTNSCOPE   the attnscope program (default: attnscope on the nodes' PATH)
#   SETUP       a command every job runs first ("module load attnscope", "source ~/env.sh")
#   CPUS MEM TIME   per shard (default 4, 8G, 02:00:00; --plan suggests TIME)
#   PARTITION GRES  where to run (default: the cluster's default partition; GRES=gpu:1 with DEVICE=cuda)
#   SBATCH_EXTRA    more sbatch options, e.g. "--account=lab --qos=normal"
#
# Rerun some shards of a scan already submitted (failed, cancelled, out of
# time: each resumes from its progress file) and merge again:
#   SHARD_LIST=2,5 OUT=/shared/scans/pythia-letters submit_scan.sh
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ $# -ge 1 ] && { set -a; source "$1"; set +a; }
fail() { echo "submit_scan: $*" >&2; exit 2; }
: "${OUT:?set OUT to an output folder on a filesystem every node sees}"
mkdir -p "$OUT/logs"
OUT=$(cd "$OUT" && pwd)

# The scan's parameters live in OUT/scan.env from the first submission on, so
# a rerun cannot mix parameters: a value given now must agree with it.
# Resources are saved too, as the defaults of a rerun.
resources=(CPUS MEM TIME PARTITION GRES SBATCH_EXTRA)
params=(CHECKPOINT SHARDS TASK EXAMPLES SEED HEADS MODES RANDOM_HEADS KEEP DTYPE DEVICE ATTNSCOPE SETUP)
if [ -e "$OUT/scan.env" ]; then
  for name in "${params[@]}"; do
    given=${!name-}
    saved=$(set +u; source "$OUT/scan.env"; echo "${!name-}")
    if [ -n "$given" ] && [ "$given" != "$saved" ]; then
      fail "$OUT already holds a scan with $name=$saved (you gave $name=$given): use another OUT, or leave $name unset to rerun shards of that scan"
    fi
  done
  # Resources given now (a longer TIME for a rerun) win over the saved ones.
  for name in "${resources[@]}"; do [ -n "${!name-}" ] && declare "given_$name=${!name}"; done
  set -a; source "$OUT/scan.env"; set +a
  for name in "${resources[@]}"; do given="given_$name"; [ -n "${!given-}" ] && declare "$name=${!given}"; done
  echo "submit_scan: the scan in $OUT (parameters from $OUT/scan.env)"
else
  : "${CHECKPOINT:?set CHECKPOINT to a checkpoint folder every node can read}"
  [ -e "$CHECKPOINT/config.json" ] || fail "$CHECKPOINT has no config.json: stage the checkpoint folder on a shared filesystem first"
  CHECKPOINT=$(cd "$CHECKPOINT" && pwd)
  : "${SHARDS:=8}" "${TASK:=letters}" "${EXAMPLES:=2000}" "${SEED:=1}" "${HEADS:=all}" "${MODES:=zero,mean}"
  : "${RANDOM_HEADS:=20}" "${KEEP:=}" "${DTYPE:=float32}" "${DEVICE:=auto}" "${ATTNSCOPE:=attnscope}" "${SETUP:=}"
  [[ "$SHARDS" =~ ^[1-9][0-9]*$ ]] || fail "SHARDS=$SHARDS: give a positive whole number"
  : "${CPUS:=4}" "${MEM:=8G}" "${TIME:=02:00:00}" "${PARTITION:=}" "${GRES:=}" "${SBATCH_EXTRA:=}"
  for name in "${params[@]}" "${resources[@]}"; do printf '%s=%q\n' "$name" "${!name}"; done > "$OUT/scan.env.tmp"
  mv "$OUT/scan.env.tmp" "$OUT/scan.env"
  echo "submit_scan: a new scan in $OUT ($OUT/scan.env holds its parameters)"
fi

array=${SHARD_LIST:-0-$((SHARDS - 1))}
shard_options=(--cpus-per-task="$CPUS" --mem="$MEM" --time="$TIME")
[ -n "$PARTITION" ] && shard_options+=(--partition="$PARTITION")
[ -n "$GRES" ] && shard_options+=(--gres="$GRES")
read -ra extra <<< "${SBATCH_EXTRA:-}"   # split on spaces, no glob expansion (--nodelist=node[01-04])
scan_job=$(sbatch --parsable --job-name=attnscope-scan --array="$array" "${shard_options[@]}" ${extra[@]+"${extra[@]}"} \
  --requeue --open-mode=append --output="$OUT/logs/shard-%a.log" --export=ALL,OUT="$OUT" "$here/scan_array.sbatch")
scan_job=${scan_job%%;*}
# afterany, not afterok: a task that fails and is requeued would otherwise
# leave the merge pending forever (DependencyNeverSatisfied); merge itself
# refuses an incomplete scan and says which shards to rerun.
merge_job=$(sbatch --parsable --job-name=attnscope-merge --dependency=afterany:"$scan_job" --kill-on-invalid-dep=no \
  --cpus-per-task=1 --mem=2G --time=00:30:00 ${PARTITION:+--partition="$PARTITION"} ${extra[@]+"${extra[@]}"} \
  --open-mode=append --output="$OUT/logs/merge.log" --export=ALL,OUT="$OUT",SUBMIT_SCAN="$here/submit_scan.sh" "$here/merge.sbatch")
merge_job=${merge_job%%;*}
echo "submit_scan: shards $array of $SHARDS as job $scan_job; merge as job $merge_job (after every shard ends)"
echo "submit_scan: logs in $OUT/logs; the result will be $OUT/scan.csv"
echo "SCAN_JOB=$scan_job MERGE_JOB=$merge_job"
