#!/usr/bin/python
# -*- coding: utf-8 -*-
# Apache License 2.0 (see LICENSE)
# Generated from src/modules/migrate.ts by `npm run build`; edit the TypeScript, not this file.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: migrate
short_description: Copy the disks of a VMware VM into Cinder volumes and convert the guest
version_added: 1.0.0
description:
  - Copies every disk of one VMware VM into Cinder volumes (created on demand, named <SafeVmName>-<disk key>, marked osm=true) attached to the conversion host, then converts the guest with virt-v2v-in-place.
  - With cbtsync the first run copies everything and records the change ID; later runs copy only the changed blocks and record the new change ID; cutover stops the VM (also with skipconversion), does the last sync and converts.
  - "The source VM: a cbtsync pre-sync never touches it; a cutover always stops it before the last sync (guest shutdown, then a hard power-off after shutdown_timeout unless force_power_off is false); a plain migration stops it before the copy when source_power_off is true, by default (as upstream) when it converts."
  - "Repeatable: converted volumes are skipped (changed false), and a rerun after a crash removes the snapshot and reuses or detaches the attachments it left."
  - "One migration or import_vmware_volume of a VM at a time on a conversion host: a second run fails naming the first (its pid and lock file). The processes it starts (nbdkit, virt-v2v-in-place and what they start) end with it, also when it is killed with SIGKILL; a run after a killed one first stops whatever of that run still runs, and removes its private files."
  - Runs on the conversion host, a server of the destination cloud.
author:
  - vmware-migration-kit TypeScript contributors
options:
  allow_empty_disks:
    description:
      - "Migrate a disk that holds no data (no allocated block, or only zeros) as a blank volume. Without it such a disk fails the migration before anything is created: it is more often the wrong VM or an unreadable datastore than a real blank disk. A blank boot disk (disk 0) is refused anyway unless skipconversion is set, since there is no guest to convert."
    type: bool
    default: false
  assumezero:
    description:
      - "New volumes read as zeros, so zero blocks are not written. Leave it false for volume types whose new volumes are not zeroed (encrypted types, some backends): the guest would see stale data."
    type: bool
    default: false
  bootscript:
    description:
      - Script for virt-v2v-in-place --firstboot.
    type: str
  cbtsync:
    description:
      - "Changed block tracking sync: the first run copies everything, later runs only what changed; no conversion unless cutover."
    type: bool
    default: false
  compression:
    description:
      - VDDK compression (disk_source vddk).
    type: str
    default: fastlz
    choices:
      - none
      - zlib
      - fastlz
      - skipz
  convhostname:
    description:
      - Name of the conversion host server, last resort to find it.
    type: str
  cutover:
    description:
      - "With cbtsync: stop the VM (also with skipconversion), do the last sync, convert and mark the volumes converted."
    type: bool
    default: false
  debug:
    description:
      - Debug logging, and LIBGUESTFS_DEBUG/LIBGUESTFS_TRACE for virt-v2v.
    type: bool
    default: false
  debug_mode:
    description:
      - "No effect here, accepted for compatibility with upstream: use debug."
    type: bool
  disk_by_id_dir:
    description:
      - Directory of by-id device links on the conversion host.
    type: str
    default: /dev/disk/by-id
  disk_source:
    description:
      - "How disks are read: vddk (nbdkit VDDK plugin), local (localdiskpath mount), https (datastore file access), ssh (SFTP from ESXi). Default vddk, or local when localdiskpath is set."
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
  extraopts:
    description:
      - "Extra virt-v2v-in-place arguments: a list, or a string split on whitespace (no shell)."
    type: raw
  firstboot:
    description:
      - "No effect here, accepted for compatibility with upstream: give the first-boot script as bootscript."
    type: str
  force_power_off:
    description:
      - Power the source off hard when its guest does not shut down within shutdown_timeout (or has no VMware Tools); false fails the migration instead, before the last sync.
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
  instanceuuid:
    description:
      - Nova server ID of the conversion host, when neither the metadata service nor the DMI UUID tells it.
    type: str
  keep_images:
    description:
      - "migration_target image: keep the Glance images once the volumes exist (deleted by default)."
    type: bool
    default: false
  libdir:
    description:
      - VDDK library directory (disk_source vddk).
    type: str
    default: /usr/lib/vmware-vix-disklib
  localdiskpath:
    description:
      - Local mount of the datastore (e.g. NFS) on the conversion host; selects disk_source local.
    type: str
  migration_target:
    description:
      - "Where the disks go. volume: Cinder volumes attached to the conversion host this runs on. image: no conversion host; each disk is copied into a sparse file in staging_dir, converted there, uploaded to Glance and made into a volume from the image; with cbtsync the staged files are kept between syncs and the cutover converts and uploads (externalvolume needs volume)."
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
  osmdatadir:
    description:
      - "No effect here, accepted for compatibility with upstream: migrate keeps no files there (upstream does not use it either)."
    type: str
  password:
    description:
      - Password of user.
    type: str
    required: true
    no_log: true
  runscript:
    description:
      - "Script for virt-v2v-in-place --run (Linux guests); default: one generated from the VM NICs that keeps their names."
    type: str
  server:
    description:
      - vCenter or ESXi address, `host` or `host:port` (443 by default).
    type: str
    required: true
  shutdown_timeout:
    description:
      - Seconds to wait for the guest shutdown (VMware Tools) when the source is stopped, before a hard power-off (force_power_off).
    type: int
    default: 300
  skipconversion:
    description:
      - Never run virt-v2v-in-place (the guest already boots on virtio).
    type: bool
    default: false
  source_power_off:
    description:
      - "A plain migration (no cbtsync, no cutover): stop the source (guest shutdown) before the copy, so it reads a stopped VM (true), or leave it as it is (false). Default: as upstream, stopped when the run converts the guest, left alone with skipconversion. A cbtsync pre-sync never touches the source; a cutover always stops it before the last sync."
    type: bool
  staging_dir:
    description:
      - "migration_target image: directory of the staged disk files (`<vm>-<diskkey>.raw`, sparse); needs room for the capacity of the disks of the VMs migrated at once."
    type: str
    default: /var/tmp/os-migrate-staging
  timeout:
    description:
      - "No effect here, accepted for compatibility with upstream: the module always runs the migration to its end; bound the task's time with Ansible's async."
    type: int
  user:
    description:
      - vCenter or ESXi user name, e.g. administrator@vsphere.local.
    type: str
    required: true
  usesocks:
    description:
      - "No effect here, accepted for compatibility with upstream: every disk source already serves the disk on a private Unix socket."
    type: bool
  vddkpath:
    description:
      - Inventory folder of the VM (e.g. /Datacenter/vm); the VM is looked up at `<vddkpath>/<vmname>`, else by its name.
    type: str
  verify:
    description:
      - Compute the SHA-256 of each source disk and written volume, and fail when they differ.
    type: bool
    default: false
  vmname:
    description:
      - Name of the VM to migrate (or its inventory path).
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
  volumeaz:
    description:
      - Availability zone of the created volumes.
    type: str
  volumename:
    description:
      - "With externalvolume: the backend volume name."
    type: str
  volumetype:
    description:
      - Volume type of the created volumes when volume_type_mapping has no entry for the disk datastore; default the cloud's default type.
    type: str
  vsphere_insecure:
    description:
      - "No effect here, accepted for compatibility with upstream: use vmware_insecure."
    type: bool
  wait:
    description:
      - "No effect here, accepted for compatibility with upstream: the module always runs the migration to its end."
    type: bool
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
notes:
  - A JavaScript file built from TypeScript, run by the Node.js runtime the collection installs on the target once (plugins/action/node_module.py); it needs no Python on the target.
  - "Fixed upstream defects: the change ID is updated after each sync and kept after conversion; the volume type fallback no longer leaks from the previous disk; a missing conversion host UUID is an error; extraopts is never shell-parsed; the password never appears on a command line or in the log."
  - The options whose description starts with "No effect here" are accepted because upstream reads or documents them, so tasks written for upstream keep working; each one given adds a warning naming it and what to use instead.
  - Where this collection deliberately differs from upstream os-migrate/vmware-migration-kit 2.2 (arguments, results, behaviour), docs/upstream-differences.md in the collection says how and why, with every upstream argument of every module.
'''

EXAMPLES = r'''
- name: Migrate a VM (copy and convert)
  os_migrate.vmware_migration_kit.migrate:
    dst_cloud: "{{ dst_cloud }}"
    user: "{{ vcenter_username }}"
    password: "{{ vcenter_password }}"
    server: "{{ vcenter_hostname }}"
    vmname: rhel-1
    vddkpath: /Datacenter/vm
    volume_type_mapping:
      - vmware_datastore: datastore1
        openstack_type: ceph-ssd
  register: migrate_output

- name: Pre-sync with CBT over the datastore HTTPS access, no conversion yet
  os_migrate.vmware_migration_kit.migrate:
    dst_cloud: "{{ dst_cloud }}"
    user: "{{ vcenter_username }}"
    password: "{{ vcenter_password }}"
    server: "{{ vcenter_hostname }}"
    vmname: rhel-1
    disk_source: https
    vmware_ca_file: /etc/pki/vcenter-ca.pem
    cbtsync: true
'''

RETURN = r'''
id:
  description: Volume IDs, in VMware disk order (null for volumes not created yet, in check mode or when the run failed before). A failed run lists the volumes it created or reused, with changed true when it created or changed something; null when it failed before it looked at the cloud.
  returned: always
  type: list
  elements: str
disks:
  description: "Per disk: key, volume_id, mode (full, delta or skipped), bytes_copied, bytes_read, with verify sha256_source and sha256_target, and for disk_source https https_path: path ('esxi host': straight from the ESXi host with vCenter tickets; 'vcenter': through vcenter_hostname), server (host:port the bytes came from) and, for the vCenter path, reason (why not the ESXi host)."
  returned: success
  type: list
  elements: dict
converted:
  description: "The volumes are final: converted by virt-v2v-in-place, or copied with skipconversion (volume metadata osm_conversion says which); reruns skip them."
  returned: success
  type: bool
conversion_host:
  description: Nova server ID of the conversion host (null with migration_target image).
  returned: success
  type: str
source:
  description: "What the run did to the source VM: power_state_before, action (none, guest shutdown, hard power-off, already off) and cbt_enabled_by_tool. A stop or a CBT enabled by the tool is also recorded on each of its volumes (metadata osm_source_powered_off, osm_source_powered_off_at, osm_cbt_enabled) so that it can be undone."
  returned: success
  type: dict
duration_seconds:
  description: Duration of the run.
  returned: always
  type: float
log_file:
  description: The migration log on the conversion host.
  returned: always
  type: str
plan:
  description: "Check mode: what a run would do per disk (action, and data: whether the source disk holds data, 'not read' when only the snapshot can tell), whether it would convert, and the cleanup of earlier runs. A disk the source checks refuse has action blocked and its problem, and the task fails."
  returned: check mode
  type: dict
'''
