#!/usr/bin/python
# -*- coding: utf-8 -*-
# Apache License 2.0 (see LICENSE)
# Generated from src/modules/import_workloads.ts by `npm run build`; edit the TypeScript, not this file.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: import_workloads
short_description: Migrate one VMware VM to OpenStack end to end
version_added: 1.0.0
description:
  - Reads the VM's import_workloads.json (written by the convert_metadata role), copies its disks into Cinder volumes and converts the guest (the migrate workflow), creates one Neutron port per NIC with the VMware MAC, and boots a Nova server from the volumes. Optionally tears all of it down again.
  - "Every step is idempotent: a rerun reuses what exists and reports changed false when nothing was left to do."
  - With cbt_sync and without cutover only the disks are synchronised; the ports and the server come with the cutover run.
author:
  - vmware-migration-kit TypeScript contributors
options:
  accept_upstream_names:
    description:
      - "With tear_down: also remove what upstream's kit made for this VM, which carries no marker: servers named SafeVmName(vm_name) or vm_name and ports named SafeVmName(vm_name)-NIC-<index>-VLAN-<name or ID of the port's network> of the current project (first, since they hold the VM's name and MAC addresses), and flavors named osm-vmware-<vm_name>-<0 to 9998> (last). Each one is listed in teardown with accepted 'upstream name for VM <vm_name>'. Without tear_down it has no effect (a warning says so). See docs/ownership.md."
    type: bool
    default: false
  allow_empty_disks:
    description:
      - "Migrate a disk that holds no data (no allocated block, or only zeros) as a blank volume. Without it such a disk fails the migration before anything is created: it is more often the wrong VM or an unreadable datastore than a real blank disk. A blank boot disk (disk 0) is refused anyway unless skip_conversion is set, since there is no guest to convert."
    type: bool
    default: false
  assume_zero:
    description:
      - "New volumes read as zeros, so zero blocks are not written. Leave it false for volume types whose new volumes are not zeroed (encrypted types, some backends): the guest would see stale data."
    type: bool
    default: false
  boot_from_cinder:
    description:
      - Boot from the existing volume named vm_name instead of the first migrated disk.
    type: bool
    default: false
  boot_script_path:
    description:
      - Script for virt-v2v-in-place --firstboot.
    type: str
  cbt_sync:
    description:
      - "Changed block tracking sync: the first run copies everything, later runs only what changed; no conversion unless cutover."
    type: bool
    default: false
  cinder_az:
    description:
      - Availability zone of the created volumes.
    type: str
  cinder_volume_type:
    description:
      - Volume type of the created volumes when volume_type_mapping has no entry for the disk datastore; default the cloud's default type.
    type: str
  convhostname:
    description:
      - Name of the conversion host server, last resort to find it.
    type: str
  create_ports:
    description:
      - Create one port per NIC with the VMware MAC.
    type: bool
    default: true
  create_server:
    description:
      - Create the Nova server booting from the migrated volumes.
    type: bool
    default: true
  cutover:
    description:
      - "With cbt_sync: stop the VM (also with skip_conversion), do the last sync, convert and mark the volumes converted."
    type: bool
    default: false
  debug:
    description:
      - Debug logging, and LIBGUESTFS_DEBUG/LIBGUESTFS_TRACE for virt-v2v.
    type: bool
    default: false
  delete_ports:
    description:
      - "With tear_down: delete the ports."
    type: bool
    default: true
  delete_server:
    description:
      - "With tear_down: delete the server."
    type: bool
    default: true
  delete_volumes:
    description:
      - "With tear_down: delete the volumes."
    type: bool
    default: true
  disk_by_id_dir:
    description:
      - Directory of by-id device links on the conversion host.
    type: str
    default: /dev/disk/by-id
  disk_source:
    description:
      - "How disks are read: vddk (nbdkit VDDK plugin), local (local_disk_path mount), https (datastore file access), ssh (SFTP from ESXi). Default vddk, or local when local_disk_path is set."
    type: str
    choices:
      - vddk
      - local
      - https
      - ssh
  dst_cloud:
    description:
      - "The destination cloud. Either a dict like a clouds.yaml entry (upstream's form: auth.auth_url, auth.username, auth.password, auth.project_name, auth.user_domain_name, region_name, interface, openstack_insecure, cacert, <service>_endpoint_override, or application credentials / a token with auth_type), or the name of a cloud in clouds.yaml (searched in $OS_CLIENT_CONFIG_FILE, ./clouds.yaml, ~/.config/openstack/, /etc/openstack/, with secure.yaml merged). When omitted, OS_CLOUD or the OS_* environment variables are used."
    type: raw
  esxi_https_port:
    description:
      - HTTPS port of the ESXi hosts (disk_source https with https_via_esxi).
    type: int
    default: 443
  esxi_ssh_key_passphrase:
    description:
      - Passphrase of esxi_ssh_key_path, when that key is encrypted (disk_source ssh).
    type: str
    no_log: true
  esxi_ssh_key_path:
    description:
      - Private key of esxi_ssh_user (disk_source ssh).
    type: str
  esxi_ssh_known_hosts:
    description:
      - known_hosts file holding the ESXi host key (default ~/.ssh/known_hosts); the key is pinned (disk_source ssh).
    type: str
  esxi_ssh_port:
    description:
      - SSH port of the ESXi host (disk_source ssh).
    type: int
    default: 22
  esxi_ssh_user:
    description:
      - SSH user on the ESXi host (disk_source ssh).
    type: str
    default: root
  externalvolume:
    description:
      - Manage an existing backend volume (volumename on hostpool) instead of creating one; single-disk VMs only.
    type: bool
    default: false
  extra_opts:
    description:
      - "Extra virt-v2v-in-place arguments: a list, or a string split on whitespace (no shell)."
    type: raw
  fixed_ip_subnet:
    description:
      - "Subnet of the fixed IPs (default: the one holding the address)."
    type: str
  force_power_off:
    description:
      - Power the source off hard when its guest does not shut down within shutdown_timeout (or has no VMware Tools); false fails the migration instead, before the last sync.
    type: bool
    default: true
  heat_auto_deploy:
    description:
      - "With use_heat: create the stack; false writes only the template and returns the openstack stack create command."
    type: bool
    default: true
  hostpool:
    description:
      - "With externalvolume: the Cinder host@backend#pool."
    type: str
  https_via_esxi:
    description:
      - "disk_source https: read each disk straight from the ESXi host that runs the VM, with a one-time ticket from vCenter per request (no ESXi credentials), instead of through vCenter. Falls back to the vCenter path when the host cannot be reached, its certificate is not trusted (verified as vCenter's: pinned to the thumbprint vCenter reports for the host when vmware_thumbprint is set, skipped with vmware_insecure, else checked against vmware_ca_file and the system CAs) or it refuses the ticket; the result's disks say which path each took."
    type: bool
    default: true
  image_disk_format:
    description:
      - "migration_target image: the format uploaded to Glance; raw clones into volumes without a copy on RBD (Ceph), qcow2 sends less data for sparse disks."
    type: str
    default: raw
    choices:
      - raw
      - qcow2
  instance_uuid:
    description:
      - Nova server ID of the conversion host, when neither the metadata service nor the DMI UUID tells it.
    type: str
  keep_images:
    description:
      - "migration_target image: keep the Glance images once the volumes exist (deleted by default)."
    type: bool
    default: false
  key_name:
    description:
      - Keypair of the server.
    type: str
  libdir:
    description:
      - VDDK library directory (disk_source vddk).
    type: str
    default: /usr/lib/vmware-vix-disklib
  local_disk_path:
    description:
      - Local mount of the datastore (e.g. NFS) on the conversion host; selects disk_source local.
    type: str
  migration_target:
    description:
      - "Where the disks go. volume: Cinder volumes attached to the conversion host this runs on. image: no conversion host; each disk is copied into a sparse file in staging_dir, converted there, uploaded to Glance and made into a volume from the image; with cbt_sync the staged files are kept between syncs and the cutover converts and uploads (externalvolume needs volume)."
    type: str
    default: volume
    choices:
      - volume
      - image
  multidiskfs:
    description:
      - "The guest filesystems span several disks: one conversion over all of them."
    type: bool
    default: false
  network_name:
    description:
      - Network (name or ID) for every port when used_mapped_networks is false.
    type: str
  nova_az:
    description:
      - Availability zone of the server.
    type: str
  os_migrate_vmw_data_dir:
    description:
      - Working directory holding <vm_name>/import_workloads.json, guest_info.json and nics.json or macs.json.
    type: str
    required: true
  rollback_on_failure:
    description:
      - "When the run that makes the disks final (not a CBT pre-sync) fails - cutover, conversion, ports, server creation - roll the VM back as the rollback module does: the tool's server and ports of the VM deleted, its volumes detached and kept (marked, reused by the next run), the source powered on if the tool powered it off, the tool's snapshots removed. The failure message says what was rolled back. A server the tool made for the VM before this run is never rolled back (the message says so). No effect in check mode or with tear_down."
    type: bool
    default: true
  runscript:
    description:
      - "Script for virt-v2v-in-place --run (Linux guests); default: one generated from the VM NICs that keeps their names."
    type: str
  security_groups:
    description:
      - Security groups of the ports and the server.
    type: list
    default:
      - default
    elements: str
  server_timeout:
    description:
      - Seconds to wait for the server (or its Heat stack) to become ACTIVE (CREATE_COMPLETE).
    type: int
    default: 1800
  shutdown_timeout:
    description:
      - Seconds to wait for the guest shutdown (VMware Tools) when the source is stopped, before a hard power-off (force_power_off).
    type: int
    default: 300
  skip_conversion:
    description:
      - Never run virt-v2v-in-place (the guest already boots on virtio).
    type: bool
    default: false
  source_power_off:
    description:
      - "A plain migration (no cbt_sync, no cutover): stop the source (guest shutdown) before the copy, so it reads a stopped VM (true), or leave it as it is (false). Default: as upstream, stopped when the run converts the guest, left alone with skip_conversion. A cbt_sync pre-sync never touches the source; a cutover always stops it before the last sync."
    type: bool
  staging_dir:
    description:
      - "migration_target image: directory of the staged disk files (`<vm>-<diskkey>.raw`, sparse); needs room for the capacity of the disks of the VMs migrated at once."
    type: str
    default: /var/tmp/os-migrate-staging
  tear_down:
    description:
      - "Remove what the migration created (testing and dry runs). When every volume of the VM is final already (migrated to the end), nothing is copied again and the vCenter is not contacted: only the deletions run. Otherwise the VM is migrated first, then torn down. To undo a migration and put the source back in service, use the rollback module or playbook instead."
    type: bool
    default: false
  use_fixed_ips:
    description:
      - Keep the VMware IPv4 addresses as fixed IPs.
    type: bool
    default: false
  use_heat:
    description:
      - Create the server through a Heat stack os-migrate-<SafeVmName> (template <data_dir>/<vm>/heat_template.yaml) instead of directly; the ports are made as without Heat and the stack only references them and the volumes (with create_ports false the stack makes one port on network_name).
    type: bool
    default: false
  used_mapped_networks:
    description:
      - Ports on the networks of nics.json (true) or all on network_name (macs.json).
    type: bool
    default: false
  user_data:
    description:
      - cloud-init user data of the server.
    type: str
  vcenter_hostname:
    description:
      - vCenter or ESXi address, `host` or `host:port` (443 by default).
    type: str
    required: true
  vcenter_password:
    description:
      - Password of vcenter_username.
    type: str
    required: true
    no_log: true
  vcenter_username:
    description:
      - vCenter or ESXi user name, e.g. administrator@vsphere.local.
    type: str
    required: true
  vddk_compression:
    description:
      - VDDK compression (disk_source vddk).
    type: str
    default: fastlz
    choices:
      - none
      - zlib
      - fastlz
      - skipz
  verify:
    description:
      - Compute the SHA-256 of each source disk and written volume, and fail when they differ.
    type: bool
    default: false
  vm_name:
    description:
      - The VMware VM to migrate.
    type: str
    required: true
  vmware_ca_file:
    description:
      - PEM file of a CA (or of the self-signed vCenter/ESXi certificate) to trust.
    type: str
  vmware_insecure:
    description:
      - Skip TLS certificate verification of vCenter/ESXi. Prefer vmware_ca_file or vmware_thumbprint.
    type: bool
    default: false
  vmware_thumbprint:
    description:
      - SHA-1 thumbprint of the vCenter/ESXi certificate (AB:CD:...); when set, only that certificate is accepted.
    type: str
  volume_type_mapping:
    description:
      - Volume type per VMware datastore; the first entry matching the disk datastore wins.
    type: list
    default: []
    elements: dict
    suboptions:
      openstack_type:
        description:
          - Cinder volume type for disks on that datastore.
        type: str
        required: true
      vmware_datastore:
        description:
          - VMware datastore name.
        type: str
        required: true
  volumename:
    description:
      - "With externalvolume: the backend volume name."
    type: str
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
notes:
  - A JavaScript file built from TypeScript, run by the Node.js runtime the collection installs on the target once (plugins/action/node_module.py); it needs no Python on the target.
  - The import_workloads role runs this module for several VMs at once (async), at most import_workloads_max_parallel (default 5) per conversion host.
  - Unlike upstream, the ports and the server are also created when skip_conversion is set (the disks are final).
  - "The migration options are migrate's, under the import_workloads role's variable names (cbt_sync for cbtsync, cinder_az for volumeaz, ...). assume_zero defaults to false like migrate's assumezero (upstream's module default: safe for volume types whose new volumes are not zeroed); the role passes destination_assume_zeroed, which defaults to true as in upstream's role."
  - Where this collection deliberately differs from upstream os-migrate/vmware-migration-kit 2.2 (arguments, results, behaviour), docs/upstream-differences.md in the collection says how and why, with every upstream argument of every module.
'''

EXAMPLES = r'''
- name: Migrate rhel-1 from the conversion host
  os_migrate.vmware_migration_kit.import_workloads:
    vm_name: rhel-1
    os_migrate_vmw_data_dir: /opt/os-migrate
    dst_cloud: "{{ dst_cloud }}"
    vcenter_hostname: "{{ vcenter_hostname }}"
    vcenter_username: "{{ vcenter_username }}"
    vcenter_password: "{{ vcenter_password }}"
    disk_source: https
    network_name: private
    security_groups: [default]
'''

RETURN = r'''
vm_name:
  description: The VM.
  returned: always
  type: str
  sample: rhel-1
volume_ids:
  description: Volume IDs in VMware disk order.
  returned: success
  type: list
  elements: str
disks:
  description: "Per disk: key, volume_id, mode, bytes_copied, bytes_read, and https_path with disk_source https (see migrate)."
  returned: success
  type: list
  elements: dict
converted:
  description: The volumes are final (converted, or copied with skip_conversion); reruns skip them.
  returned: success
  type: bool
source:
  description: "What the run did to the source VM: power_state_before, action (none, guest shutdown, hard power-off, already off) and cbt_enabled_by_tool; also recorded on its volumes (osm_source_powered_off, osm_cbt_enabled)."
  returned: success
  type: dict
plan:
  description: "Check mode: what the migration would do per disk and to the source VM."
  returned: check mode
  type: dict
port_ids:
  description: Neutron port IDs, one per NIC.
  returned: success
  type: list
  elements: str
ports:
  description: "Per port: nic, id, name, mac_address, network_id, fixed_ips, action."
  returned: success
  type: list
  elements: dict
server_id:
  description: The Nova server.
  returned: when a server was created or found
  type: str
server_status:
  description: Status of the server.
  returned: when a server was created or found
  type: str
server_created:
  description: This run created the server (or its Heat stack); the migration playbook rolls back only such a VM when its verification fails (rollback_on_failure).
  returned: success
  type: bool
heat:
  description: "With use_heat: stack_name, template_path, parameters, command (openstack stack create ...), and once deployed stack (id, name, status) and info_path (heat_stack_info.txt)."
  returned: with use_heat, when the disks are final
  type: dict
teardown:
  description: "What tear_down removed, one entry per object: kind, id, name, changed, msg, and accepted ('tool marker', or 'upstream name for VM <vm_name>' with accept_upstream_names)."
  returned: with tear_down
  type: list
  elements: dict
log_file:
  description: The migration log on the conversion host.
  returned: always
  type: str
duration_seconds:
  description: Duration of the run.
  returned: always
  type: float
'''
