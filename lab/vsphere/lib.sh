# Shared paths and helpers of lab/vsphere scripts (sourced, not executed).
lab_dir=${OSM_LAB_DIR:-/var/lib/osm-lab}
state=$lab_dir/vsphere
facts=$lab_dir/vsphere.json
run=$state/run
logs=$state/logs
bin=$state/bin/osm-vcsim
vcsim_pidfile=$run/vcsim.pid
vcsim_buildfile=$run/vcsim.build
sshd_pidfile=$run/sshd.pid
listen_host=127.0.0.1
port=${OSM_VSPHERE_PORT:-8989}
ssh_port=${OSM_VSPHERE_SSH_PORT:-2222}
esxi_port=${OSM_VSPHERE_ESXI_PORT:-443}
vmfs_root=${OSM_VSPHERE_VMFS_ROOT:-/vmfs/volumes}

# alive PIDFILE EXE: true when the PID in PIDFILE runs the executable EXE.
alive() {
  local pid
  # The process may remove its own pid file while we look (sshd does on TERM): a vanished file means not running.
  pid=$(cat "$1" 2>/dev/null) || return 1
  [[ -n $pid && -d /proc/$pid ]] || return 1
  local exe
  exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || return 1
  [[ $exe == "$2" || $exe == "$2 (deleted)" ]] # (deleted): the binary was rebuilt since
}

# stop_pid PIDFILE EXE NAME: TERM the process, wait up to 10 s, then KILL it.
stop_pid() {
  local pid i
  if alive "$1" "$2"; then
    pid=$(<"$1")
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
      alive "$1" "$2" || break
      sleep 0.1
    done
    if alive "$1" "$2"; then
      echo "$3 (pid $pid) did not stop on TERM; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$1"
}

port_in_use() {
  ss -Htln "sport = :$1" | grep -q .
}
