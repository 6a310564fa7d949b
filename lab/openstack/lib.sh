# Shared by lab/openstack/{up,down,status}: paths, lab credentials, process helpers.
# shellcheck shell=bash

LAB_OS_SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OSM_LAB_DIR="${OSM_LAB_DIR:-/var/lib/osm-lab}"
OS_DIR="$OSM_LAB_DIR/openstack"
OS_ETC="$OS_DIR/etc"
OS_RUN="$OS_DIR/run"
OS_LOG="$OS_DIR/logs"
OS_STATE="$OS_DIR/state"
BY_ID_DIR="$OSM_LAB_DIR/by-id"
# Cinder's NFS share is a bind mount of this local directory: volume-<id> files live here.
CINDER_VOLUMES_DIR="$OS_DIR/cinder-volumes"
NFS_SHARE="127.0.0.1:$CINDER_VOLUMES_DIR"
NFS_MOUNT_BASE="$OS_DIR/cinder-mnt"

# Lab fixtures, not secrets of anyone: they only open services bound to 127.0.0.1.
DB_USER=osm_lab
DB_PASSWORD=osm-lab-db
ADMIN_PASSWORD=osm-lab-admin
SERVICE_PASSWORD=osm-lab-service
RABBIT_URL="rabbit://guest:guest@127.0.0.1:5672/"
# Heat encrypts the credentials it stores with this key (exactly 32 characters).
HEAT_AUTH_KEY=osm-lab-heat-auth-encryption-32c
LAB_HOST=osm-lab
REGION=RegionOne
KEYSTONE_URL=http://127.0.0.1:5000/v3

SERVICE_PATH=/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin

# Start order; down stops in reverse.
SERVICES=(mariadb epmd rabbitmq keystone placement glance cinder-api cinder-scheduler cinder-volume
  neutron-server nova-api nova-conductor nova-scheduler nova-compute heat-api heat-engine)

log() { printf '[openstack %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

pid_file() { echo "$OS_RUN/$1.pid"; }

# A recorded PID names our process only on this kernel, in this PID namespace (a container started on the same
# machine reuses low PIDs), and while the process keeps the start time recorded with it.
BOOT_ID="$(cat /proc/sys/kernel/random/boot_id)/$(readlink /proc/self/ns/pid)"

# The process's start time in clock ticks since boot (field 22 of /proc/PID/stat; the name before it may hold spaces).
start_ticks() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"
  # shellcheck disable=SC2086
  set -- $stat
  echo "${20}"
}

# The PID recorded for a service, if it was recorded since this machine booted, in this PID namespace.
recorded_pid() {
  local f pid boot
  f="$(pid_file "$1")"
  [[ -s "$f" ]] || return 1
  read -r pid boot _ <"$f"
  [[ "$boot" == "$BOOT_ID" ]] || return 1
  echo "$pid"
}

# The service's PID when it is running: the process recorded (same start time, not a later one reusing its PID),
# leading its own process group, as start_service made it.
service_pid() {
  local pid ticks
  pid="$(recorded_pid "$1")" || return 1
  read -r _ _ ticks <"$(pid_file "$1")"
  [[ -n "$ticks" && "$(start_ticks "$pid")" == "$ticks" ]] || return 1
  [[ "$(ps -o pgid= -p "$pid" 2>/dev/null | tr -d ' ')" == "$pid" ]] || return 1
  echo "$pid"
}

# Each service runs in its own session, so its process group id is the recorded PID:
# down signals that group (workers, forked children) and nothing else.
start_service() {
  local name="$1"
  shift
  if service_pid "$name" >/dev/null; then
    return 0
  fi
  mkdir -p "$OS_RUN" "$OS_LOG"
  (
    cd "$OS_STATE"
    PATH="$SERVICE_PATH" PYTHONPATH="$LAB_OS_SRC/python" PYTHONDONTWRITEBYTECODE=1 HOME="$OS_STATE/home" \
      exec setsid nohup "$@" >>"$OS_LOG/$name.log" 2>&1 </dev/null
  ) &
  echo "$! $BOOT_ID $(start_ticks "$!")" >"$(pid_file "$name")"
  log "started $name (pid $!)"
}

# Signals the service's whole process group, so forked workers go too, even when the leader died first.
stop_service() {
  local name="$1" pid i
  if pid="$(recorded_pid "$name")" && kill -0 -- "-$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || true
    for i in $(seq 1 100); do
      kill -0 -- "-$pid" 2>/dev/null || break
      sleep 0.2
    done
    if kill -0 -- "-$pid" 2>/dev/null; then
      log "$name (pid $pid) ignored TERM for 20 s; sending KILL"
      kill -KILL -- "-$pid" 2>/dev/null || true
    fi
    log "stopped $name (pid $pid)"
  fi
  rm -f "$(pid_file "$name")"
}

wait_http() {
  local name="$1" url="$2" timeout="${3:-120}" i
  for i in $(seq 1 $((timeout * 2))); do
    if curl -s -o /dev/null --max-time 2 "$url"; then
      return 0
    fi
    all_running
    sleep 0.5
  done
  die "$name did not answer $url within ${timeout}s; see $OS_LOG/$name.log"
}

# Removes the PID files of services that are not running (left by a machine or session that ended without
# lab/down), so that all_running only judges services this run started or found running.
forget_exited() {
  local name
  for name in "${SERVICES[@]}"; do
    service_pid "$name" >/dev/null || rm -f "$(pid_file "$name")"
  done
}

# Dies naming the first started service that has exited since.
all_running() {
  local name
  for name in "${SERVICES[@]}"; do
    recorded_pid "$name" >/dev/null || continue
    service_pid "$name" >/dev/null || die "$name exited; see $OS_LOG/$name.log"
  done
}
