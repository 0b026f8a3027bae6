#!/usr/bin/env bash
# A single-node SLURM on this machine, for trying the SLURM profile (and for the tests).
#   tools/slurm/local_slurm.sh start   # installs slurm-wlm + munge if needed (root + apt)
#   snakemake --profile profiles/slurm --slurm-status-command squeue ... all
#   tools/slurm/local_slurm.sh stop
# No accounting database: finished jobs are listed by `sacct -c` (jobcomp/filetxt), and the
# executor must poll with squeue (its default, sacct, would wait forever).
set -euo pipefail
DIR=${LOCAL_SLURM_DIR:-/tmp/local-slurm}
# The default location: job steps (srun inside sbatch) do not see a SLURM_CONF of ours.
CONF=/etc/slurm/slurm.conf
MARK="# written by local_slurm.sh"

die() { echo "local_slurm: $*" >&2; exit 1; }

install_packages() {
    command -v slurmctld >/dev/null && command -v munged >/dev/null && return 0
    [ "$(id -u)" = 0 ] || die "slurmctld/munged missing and not root: cannot install slurm-wlm and munge"
    command -v apt-get >/dev/null || die "slurmctld/munged missing and no apt-get to install slurm-wlm and munge"
    echo "local_slurm: installing slurm-wlm and munge (apt)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q slurm-wlm munge >/dev/null 2>&1 \
        || { apt-get update -q >/dev/null 2>&1; DEBIAN_FRONTEND=noninteractive apt-get install -y -q slurm-wlm munge >/dev/null; } \
        || die "apt-get could not install slurm-wlm and munge"
}

write_conf() {
    local host mem
    host=$(hostname -s)
    mem=$(awk '/MemTotal/ {printf "%d", $2 / 1024 * 0.85}' /proc/meminfo)
    mkdir -p "$DIR/state" "$DIR/spool" "$DIR/log" "$(dirname "$CONF")"
    if [ -f "$CONF" ] && ! grep -qx "$MARK" "$CONF"; then
        die "$CONF exists and is not ours: this machine has a SLURM of its own"
    fi
    cat > "$CONF" <<CONF
$MARK
ClusterName=local
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$DIR/log/jobcomp.txt
JobAcctGatherType=jobacct_gather/none
ReturnToService=2
MpiDefault=none
SchedulerType=sched/backfill
DefMemPerCPU=2000
NodeName=$host CPUs=$(nproc) RealMemory=$mem State=UNKNOWN
PartitionName=main Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
}

start() {
    install_packages
    write_conf
    # munge: its key and run directory belong to the munge user
    if ! pgrep -x munged >/dev/null; then
        [ -f /etc/munge/munge.key ] || { mungekey --create >/dev/null 2>&1 || /usr/sbin/create-munge-key -f >/dev/null 2>&1; }
        mkdir -p /run/munge && chown munge:munge /run/munge /etc/munge/munge.key 2>/dev/null || true
        chmod 0400 /etc/munge/munge.key 2>/dev/null || true
        runuser -u munge -- munged || die "munged did not start"
        cp /run/munge/munged.pid "$DIR/munged.started" 2>/dev/null || pgrep -x munged > "$DIR/munged.started"
    fi
    pgrep -x slurmctld >/dev/null || (setsid slurmctld -D -f "$CONF" >"$DIR/log/slurmctld.out" 2>&1 & echo $! > "$DIR/slurmctld.launcher")
    pgrep -x slurmd >/dev/null || (setsid slurmd -D -f "$CONF" >"$DIR/log/slurmd.out" 2>&1 & echo $! > "$DIR/slurmd.launcher")
    for _ in $(seq 1 60); do
        if sinfo -h -o %T 2>/dev/null | grep -qx idle; then
            echo "local_slurm: node $(hostname -s) idle (config $CONF, logs $DIR/log)"
            return 0
        fi
        sleep 1
    done
    die "the node did not become idle within 60 s (see $DIR/log/)"
}

stop() {
    for pidfile in "$DIR/slurmd.launcher" "$DIR/slurmctld.launcher" "$DIR/munged.started"; do
        [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
        rm -f "$pidfile"
    done
    sleep 1
    # Our config left behind makes every `scontrol show config` wait ~9 s for a controller that is
    # gone, and the SLURM executor plugin runs it whenever Snakemake starts (then ~11 s instead of
    # ~3 s per snakemake command, on every later run of this machine): remove what we wrote.
    if [ -f "$CONF" ] && grep -qx "$MARK" "$CONF"; then rm -f "$CONF"; fi
    echo "local_slurm: stopped"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    conf) echo "$CONF" ;;
    *) die "usage: $0 start|stop|conf" ;;
esac
