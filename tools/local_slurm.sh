#!/usr/bin/env bash
# A one-node Slurm on this machine, for the tests that submit real jobs:
#   tools/local_slurm.sh start DIR [OWNER_PID]   munged, slurmctld and slurmd, all state in DIR
#   tools/local_slurm.sh stop DIR                stops them (and only them: by the pids in DIR)
# start writes DIR/slurm.conf (node = this host, CPUs=2, linuxproc process
# tracking, no cgroups, no accounting), its own munge key and socket, and free
# ports, so nothing outside DIR (and a short /tmp/ctc-slurm.* folder for the
# sockets, removed by stop) is used or changed; it prints `export
# SLURM_CONF=DIR/slurm.conf`, which sbatch, squeue and scontrol need. A start
# that fails stops what it started and exits 1 with the reason (the tests
# skip with it). With OWNER_PID a watcher stops the daemons once that process
# is gone, so a test that crashes leaves nothing running. Needs root and
# Debian's slurm-wlm and munge (tools/install_deps.sh installs them).
set -euo pipefail
script=$(readlink -f "$0")

cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR [OWNER_PID]" >&2; exit 2; }

stop() {
  local name pid
  for name in slurmd slurmctld munged watcher; do
    [ -f "$dir/$name.pid" ] || continue
    pid=$(cat "$dir/$name.pid")
    rm -f "$dir/$name.pid"
    # A pid file may outlive its process: kill only a process of that name
    # (the watcher is a bash, and it may be the one stopping).
    [ -n "$pid" ] && [ "$pid" != "$$" ] || continue
    [ "$name" = watcher ] || grep -qx "$name" "/proc/$pid/comm" 2>/dev/null || continue
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  if [ -f "$dir/socket_dir" ]; then
    rm -rf "$(cat "$dir/socket_dir")"
    rm -f "$dir/socket_dir"
  fi
}

fail() {
  echo "local_slurm: $*" >&2
  stop
  exit 1
}

# A TCP port nothing listens on.
free_port() {
  local p
  for _ in $(seq 100); do
    p=$((20000 + RANDOM % 20000))
    ss -ltn 2>/dev/null | grep -q ":$p " || { echo "$p"; return; }
  done
  echo 6817
}

start() {
  [ "$(id -u)" = 0 ] || fail "needs root (slurmd runs the jobs as their submitting user)"
  local tool
  for tool in munged slurmctld slurmd sbatch scontrol sinfo; do
    command -v "$tool" >/dev/null || PATH=$PATH:/usr/sbin command -v "$tool" >/dev/null ||
      fail "$tool not found (apt-get install slurm-wlm munge)"
  done
  export PATH=$PATH:/usr/sbin
  mkdir -p "$dir/state" "$dir/munge"
  dir=$(cd "$dir" && pwd)
  chmod 700 "$dir/munge"
  trap 'fail "interrupted"' INT TERM
  # Sockets (munge's, slurmd's and its job steps') live in a short folder: a
  # socket path holds at most 108 bytes, and DIR may be long.
  local socket_dir
  socket_dir=$(mktemp -d /tmp/ctc-slurm.XXXXXX)
  chmod 755 "$socket_dir"
  mkdir -p "$socket_dir/spool"
  echo "$socket_dir" > "$dir/socket_dir"
  # munge: our own key and socket.
  dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
  chmod 400 "$dir/munge/munge.key"
  munged --force --key-file="$dir/munge/munge.key" --socket="$socket_dir/socket" \
    --pid-file="$dir/munged.pid" --log-file="$dir/munged.log" --seed-file="$dir/munge/seed" ||
    fail "munged did not start: $(tail -3 "$dir/munged.log" 2>/dev/null)"
  local host cpus
  host=$(hostname -s)
  cpus=$(nproc)
  [ "$cpus" -gt 2 ] && cpus=2
  cat > "$dir/slurm.conf" <<CONF
ClusterName=ctcscope-test
SlurmctldHost=$host
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$socket_dir/socket
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
MinJobAge=600
StateSaveLocation=$dir/state
SlurmdSpoolDir=$socket_dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
  export SLURM_CONF=$dir/slurm.conf
  slurmctld -f "$SLURM_CONF" -i || fail "slurmctld did not start: $(tail -3 "$dir/slurmctld.log" 2>/dev/null)"
  slurmd -f "$SLURM_CONF" || fail "slurmd did not start: $(tail -3 "$dir/slurmd.log" 2>/dev/null)"
  local state=""
  for _ in $(seq 100); do
    state=$(sinfo -h -o %T 2>/dev/null || true)
    [ "$state" = idle ] && break
    sleep 0.2
  done
  [ "$state" = idle ] || fail "the node did not become idle (sinfo: '${state}'): $(tail -3 "$dir/slurmd.log" 2>/dev/null)"
  if [ -n "${3:-}" ]; then
    # Outlives this script (setsid, no terminal); stops the daemons when the owner ends.
    setsid bash -c 'while kill -0 "$1" 2>/dev/null; do sleep 1; done; exec bash "$2" stop "$3"' \
      watcher "$3" "$script" "$dir" >/dev/null 2>&1 < /dev/null &
    echo $! > "$dir/watcher.pid"
  fi
  trap - INT TERM
  echo "export SLURM_CONF=$dir/slurm.conf"
}

case "$cmd" in
  start) start "$@" ;;
  stop) dir=$(cd "$dir" 2>/dev/null && pwd) || exit 0; stop ;;
  *) echo "usage: $0 start|stop DIR [OWNER_PID]" >&2; exit 2 ;;
esac
