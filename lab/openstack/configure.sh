# Writes every service's configuration under $OS_ETC (sourced by up after lib.sh).
# Regenerated on each up: the files are a pure function of lib.sh's settings.
# shellcheck shell=bash

db_url() { echo "mysql+pymysql://$DB_USER:$DB_PASSWORD@127.0.0.1/$1?charset=utf8"; }

# keystone_auth SECTION USER: a [SECTION] that authenticates as service user USER.
keystone_auth() {
  cat <<EOF
[$1]
auth_url = http://127.0.0.1:5000
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = $2
password = $SERVICE_PASSWORD
region_name = $REGION
EOF
}

authtoken() {
  keystone_auth keystone_authtoken "$1"
  cat <<EOF
www_authenticate_uri = http://127.0.0.1:5000
service_token_roles = service
service_token_roles_required = true
EOF
}

write_file() (
  path="$1"
  mkdir -p "$(dirname "$path")"
  umask 077
  cat >"$path.tmp"
  mv "$path.tmp" "$path"
)

write_configs() {
  mkdir -p "$OS_ETC" "$OS_STATE/home" "$OS_STATE/lock" "$BY_ID_DIR" "$CINDER_VOLUMES_DIR" \
    "$OS_STATE/glance-images" "$OS_STATE/glance-staging" "$OS_STATE/glance-tasks" \
    "$OS_STATE/nova/instances" "$OS_STATE/keystone"
  chmod 700 "$OS_ETC"

  write_file "$OS_ETC/my.cnf" <<EOF
[mysqld]
user = mysql
datadir = $OS_STATE/mysql
socket = $OS_STATE/mysql-run/mysqld.sock
pid-file = $OS_STATE/mysql-run/mysqld.pid
log-error = $OS_LOG/mariadb-error.log
bind-address = 127.0.0.1
port = 3306
skip-name-resolve
performance_schema = OFF
innodb_buffer_pool_size = 96M
innodb_log_file_size = 48M
innodb_flush_log_at_trx_commit = 2
max_connections = 1000
character-set-server = utf8mb4
collation-server = utf8mb4_general_ci
[client]
socket = $OS_STATE/mysql-run/mysqld.sock
EOF
  chmod 644 "$OS_ETC/my.cnf"

  write_file "$OS_ETC/keystone/keystone.conf" <<EOF
[database]
connection = $(db_url keystone)
[identity]
# Lab passwords: cheap hashes keep token requests fast on 2 cores.
password_hash_rounds = 4
[cache]
# One keystone process: an in-process cache is coherent and spares token validation its SQL.
enabled = true
backend = dogpile.cache.memory
[token]
provider = fernet
[fernet_tokens]
key_repository = $OS_STATE/keystone/fernet-keys
[fernet_receipts]
key_repository = $OS_STATE/keystone/fernet-keys
[credential]
key_repository = $OS_STATE/keystone/credential-keys
EOF

  write_file "$OS_ETC/placement/placement.conf" <<EOF
[placement_database]
connection = $(db_url placement)
[api]
auth_strategy = keystone
$(authtoken placement)
EOF

  write_file "$OS_ETC/glance/glance-api.conf" <<EOF
[DEFAULT]
bind_host = 127.0.0.1
bind_port = 9292
workers = 1
enabled_backends = fs:file
[database]
connection = $(db_url glance)
[glance_store]
default_backend = fs
[fs]
filesystem_store_datadir = $OS_STATE/glance-images
[os_glance_staging_store]
filesystem_store_datadir = $OS_STATE/glance-staging
[os_glance_tasks_store]
filesystem_store_datadir = $OS_STATE/glance-tasks
[paste_deploy]
flavor = keystone
config_file = /etc/glance/glance-api-paste.ini
[oslo_concurrency]
lock_path = $OS_STATE/lock
$(authtoken glance)
EOF

  write_file "$OS_ETC/cinder/nfs_shares" <<<"$NFS_SHARE"
  write_file "$OS_ETC/cinder/cinder.conf" <<EOF
[DEFAULT]
host = $LAB_HOST
my_ip = 127.0.0.1
transport_url = $RABBIT_URL
auth_strategy = keystone
osapi_volume_listen = 127.0.0.1
osapi_volume_workers = 1
api_paste_config = /etc/cinder/api-paste.ini
rootwrap_config = /etc/cinder/rootwrap.conf
state_path = $OS_STATE/cinder
enabled_backends = nfs
default_volume_type = __DEFAULT__
[database]
connection = $(db_url cinder)
[oslo_concurrency]
lock_path = $OS_STATE/lock
[nfs]
volume_driver = osm_lab_cinder.ManageableNfsDriver
volume_backend_name = nfs
nfs_shares_config = $OS_ETC/cinder/nfs_shares
nfs_mount_point_base = $NFS_MOUNT_BASE
nfs_sparsed_volumes = true
nfs_qcow2_volumes = false
nfs_snapshot_support = true
nas_secure_file_operations = false
nas_secure_file_permissions = false
$(authtoken cinder)
$(keystone_auth nova cinder)
EOF

  write_file "$OS_ETC/neutron/neutron.conf" <<EOF
[DEFAULT]
host = $LAB_HOST
bind_host = 127.0.0.1
bind_port = 9696
api_workers = 1
rpc_workers = 0
rpc_state_report_workers = 0
core_plugin = ml2
service_plugins =
transport_url = $RABBIT_URL
auth_strategy = keystone
api_paste_config = /etc/neutron/api-paste.ini
state_path = $OS_STATE/neutron
notify_nova_on_port_status_changes = false
notify_nova_on_port_data_changes = false
dhcp_agent_notification = false
[database]
connection = $(db_url neutron)
[oslo_concurrency]
lock_path = $OS_STATE/lock
[ml2]
type_drivers = flat
tenant_network_types =
mechanism_drivers = osm_bind_every_port
extension_drivers = port_security
[ml2_type_flat]
flat_networks = *
$(authtoken neutron)
$(keystone_auth nova neutron)
EOF

  write_file "$OS_ETC/nova/nova.conf" <<EOF
[DEFAULT]
host = $LAB_HOST
my_ip = 127.0.0.1
transport_url = $RABBIT_URL
enabled_apis = osapi_compute
osapi_compute_listen = 127.0.0.1
osapi_compute_workers = 1
state_path = $OS_STATE/nova
instances_path = $OS_STATE/nova/instances
compute_driver = osm_lab_nova.ConversionHostDriver
sync_power_state_interval = -1
heal_instance_info_cache_interval = -1
[api]
auth_strategy = keystone
[wsgi]
api_paste_config = /etc/nova/api-paste.ini
[api_database]
connection = $(db_url nova_api)
[database]
connection = $(db_url nova)
[conductor]
workers = 1
[scheduler]
workers = 1
[vnc]
enabled = false
[oslo_concurrency]
lock_path = $OS_STATE/lock
[osm_lab]
conversion_host_name = osm-conversion-host
by_id_dir = $BY_ID_DIR
cinder_volumes_dir = $CINDER_VOLUMES_DIR
guest_boot = $(cd "$LAB_OS_SRC/../guest" && pwd)/boot
consoles_dir = $OS_STATE/nova/consoles
$(authtoken nova)
$(keystone_auth service_user nova)
send_service_user_token = true
$(keystone_auth placement nova)
$(keystone_auth neutron nova)
$(keystone_auth cinder nova)
os_region_name = $REGION
EOF

  # No stack_user_domain: the templates the tool renders need no in-instance users (wait conditions, software
  # deployments). Stacks act through a trust from their owner to the heat user ([trustee]), delegating all roles.
  write_file "$OS_ETC/heat/heat.conf" <<EOF
[DEFAULT]
host = $LAB_HOST
transport_url = $RABBIT_URL
num_engine_workers = 1
region_name_for_services = $REGION
auth_encryption_key = $HEAT_AUTH_KEY
[heat_api]
bind_host = 127.0.0.1
bind_port = 8004
workers = 1
[database]
connection = $(db_url heat)
[paste_deploy]
api_paste_config = /etc/heat/api-paste.ini
[oslo_concurrency]
lock_path = $OS_STATE/lock
[clients_keystone]
auth_uri = http://127.0.0.1:5000
[trustee]
auth_url = http://127.0.0.1:5000
auth_type = password
user_domain_name = Default
username = heat
password = $SERVICE_PASSWORD
$(authtoken heat)
EOF
}
