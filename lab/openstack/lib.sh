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
LAB_HOST=osm-lab
REGION=RegionOne
KEYSTONE_URL=http://127.0.0.1:5000/v3

SERVICE_PATH=/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin

# Start order; down stops in reverse.
SERVICES=(mariadb epmd rabbitmq keystone placement glance cinder-api cinder-scheduler cinder-volume
  neutron-server nova-api nova-conductor nova-scheduler nova-compute)

log() { printf '[openstack %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

pid_file() { echo "$OS_RUN/$1.pid"; }

service_pid() {
  local f
  f="$(pid_file "$1")"
  [[ -s "$f" ]] || return 1
  local pid
  pid="$(cat "$f")"
  kill -0 "$pid" 2>/dev/null || return 1
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
  echo $! >"$(pid_file "$name")"
  log "started $name (pid $!)"
}

stop_service() {
  local name="$1" pid
  if ! pid="$(service_pid "$name")"; then
    rm -f "$(pid_file "$name")"
    return 0
  fi
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  local i
  for i in $(seq 1 100); do
    kill -0 -- "-$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 -- "-$pid" 2>/dev/null; then
    log "$name (pid $pid) ignored TERM for 20 s; sending KILL"
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  rm -f "$(pid_file "$name")"
  log "stopped $name (pid $pid)"
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

# Dies naming the first started service that has exited since.
all_running() {
  local name
  for name in "${SERVICES[@]}"; do
    [[ -e "$(pid_file "$name")" ]] || continue
    service_pid "$name" >/dev/null || die "$name exited; see $OS_LOG/$name.log"
  done
}
