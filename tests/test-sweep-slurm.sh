#!/bin/bash
# test-sweep-slurm.sh: the script of `vitx sweep --emit slurm` on a real Slurm cluster
#
# Starts a private one-node cluster in a temporary directory (munged with its own
# key and socket, slurmctld and slurmd on 127.0.0.1 with ports of their own, no
# cgroups, no accounting), submits the job array and its dependent merge with
# `bash SCRIPT submit`, and checks that the merged file equals an unsharded run
# apart from the timing fields. Everything it started is stopped on exit.
# Skipped (exit 77) without root (slurmd must run as root) or without slurm-wlm
# and munge (Debian: slurmctld slurmd slurm-client munge).
#
#   test-sweep-slurm.sh VITX TESTS_SRCDIR DATADIR
set -u
vitx=$(readlink -f "$1")
srcdir=$(readlink -f "$2")
datadir=$(readlink -f "$3")
model=$srcdir/data/ref-tiny.safetensors
data=$datadir/fashion-mnist-subset

skip () { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "slurmd needs root"
for p in munged slurmctld slurmd sbatch squeue sinfo scontrol; do
  command -v "$p" > /dev/null || [ -x "/usr/sbin/$p" ] || skip "$p not installed"
done
PATH=$PATH:/usr/sbin

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vitx-slurm-XXXXXX") || exit 99
chmod 755 "$tmp"
pids=()
cleanup () {
  for f in "$tmp/slurmd.pid" "$tmp/slurmctld.pid" "$tmp/munge/munged.pid"; do
    [ -s "$f" ] && kill "$(cat "$f")" 2> /dev/null
  done
  sleep 1
  rm -rf "$tmp"
}
trap cleanup EXIT
fail () {
  echo "FAIL: $*"
  for f in "$tmp"/log/*.log "$tmp"/jobs/*.log; do
    [ -f "$f" ] && { echo "--- $f"; tail -n 20 "$f"; }
  done
  exit 1
}

# ports of our own, away from a real cluster's 6817/6818
base=$((20000 + $$ % 20000))
ctld_port=$base
slurmd_port=$((base + 1))

mkdir -p "$tmp/munge" "$tmp/state" "$tmp/spool" "$tmp/log" "$tmp/jobs"
chmod 700 "$tmp/munge"
head -c 1024 /dev/urandom > "$tmp/munge/munge.key"
chmod 600 "$tmp/munge/munge.key"
munged --force --key-file="$tmp/munge/munge.key" --socket="$tmp/munge/munge.socket" \
  --pid-file="$tmp/munge/munged.pid" --log-file="$tmp/munge/munged.log" \
  --seed-file="$tmp/munge/munged.seed" || fail "munged did not start"

host=$(hostname)
export SLURM_CONF=$tmp/slurm.conf
cat > "$SLURM_CONF" <<EOF
ClusterName=vitxtest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$tmp/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/log/slurmctld.log
SlurmdLogFile=$tmp/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
SchedulerType=sched/builtin
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=vitx Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
slurmctld -c -f "$SLURM_CONF" || fail "slurmctld did not start"
slurmd -f "$SLURM_CONF" || fail "slurmd did not start"

# the node comes up idle within a few seconds
for _ in $(seq 60); do
  state=$(sinfo -h -o %t 2> /dev/null | head -n 1)
  [ "$state" = idle ] && break
  sleep 1
done
[ "$state" = idle ] || fail "the node is '$state', not idle"

cd "$tmp/jobs" || exit 99
grid=(-m "$model" -d "$data" -n 32 --gamma 3,5 --clip none,2:0.25 --seeds 0,1)
"$vitx" sweep "${grid[@]}" -t 1 -q --out whole.jsonl || fail "the unsharded sweep failed"
"$vitx" sweep "${grid[@]}" --emit slurm --shards 3 --out res.jsonl --csv res.csv \
  --sbatch=--time=00:05:00 > sweep.sh || fail "--emit slurm failed"
bash -n sweep.sh || fail "the script does not parse"
bash sweep.sh submit > submit.out || fail "submit failed: $(cat submit.out)"
cat submit.out

# wait for the array and the merge to leave the queue
for _ in $(seq 240); do
  [ -z "$(squeue -h 2> /dev/null)" ] && break
  sleep 1
done
[ -z "$(squeue -h)" ] || fail "jobs still queued: $(squeue)"
[ -f res.jsonl ] || fail "the merge job wrote no res.jsonl"
grep -q "8 of 8 points" res.merge.log || fail "merge log: $(cat res.merge.log)"
for i in 0 1 2; do
  grep -q "shard $i/3" "res.shard-$i.log" || fail "shard $i did not run as array task $i"
done

# equal apart from the timing fields, which end every record
strip () { sed 's/,"seconds":.*$//' "$1"; }
if ! diff <(strip whole.jsonl) <(strip res.jsonl) > diff.out; then
  fail "merged result differs from the unsharded one: $(head -c 2000 diff.out)"
fi
[ "$(wc -l < res.csv)" = 9 ] || fail "res.csv has $(wc -l < res.csv) lines, expected 9"
echo "PASS: 3 array tasks and the dependent merge gave the unsharded result"
exit 0
