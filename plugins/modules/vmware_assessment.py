#!/usr/bin/python
# -*- coding: utf-8 -*-
# Apache License 2.0 (see LICENSE)
# Generated from src/modules/vmware_assessment.ts by `npm run build`; edit the TypeScript, not this file.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: vmware_assessment
short_description: Assess VMware VMs against vCenter and OpenStack before migrating them
version_added: 1.0.0
description:
  - "Judges every VM of vms_list (default: every VM of the vCenter) against both clouds, with the options the migration will use, and writes `<os_migrate_vmw_data_dir>/assessment.json`: per VM a status (ready, warning, blocked), the flavor it will get (existing by best match, or to be created, and why), per NIC the network, security groups and fixed IP, per disk the volume type, availability zone and size, and a list of checks {id, severity, message, fix}."
  - Checks cover the source VM (power state, snapshots, consolidation, CBT, independent/RDM/shared disks, the disks read through disk_source where that is safe and whether they hold data, guest OS and Windows release, firmware, secure boot, vTPM, passthrough, SR-IOV, USB, VMware Tools, fault tolerance, disk count, target name collisions, duplicate MACs, NIC mapping, static IPs, multidiskfs), vCenter (login, TLS, the privileges the migration uses held on each VM and datastore, the disk source endpoint) and OpenStack (authentication, catalog, networks and subnets, fixed IPs, MAC conflicts, who may set MACs and create flavors, security groups, volume types, availability zones, conversion hosts, quotas against what all the VMs need).
  - A check that could not run (no permission, nothing to read it from) has severity not_run, never ok. Creates and changes nothing in vCenter or OpenStack; the only thing written is the assessment file (not in check mode).
author:
  - vmware-migration-kit TypeScript contributors
options:
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
  conversion_hosts:
    description:
      - "The conversion host servers (names or IDs) in the project; empty: their checks do not run."
    type: list
    default: []
    elements: str
  convhostname:
    description:
      - Name of the conversion host server, last resort to find it.
    type: str
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
  flavor_uuid:
    description:
      - The flavor every VM gets (as the convert_metadata role's flavor_uuid).
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
  instance_uuid:
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
  local_disk_path:
    description:
      - Local mount of the datastore (e.g. NFS) on the conversion host; selects disk_source local.
    type: str
  max_disks_per_conversion_host:
    description:
      - Volumes one conversion host can have attached at once.
    type: int
    default: 25
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
  network_map:
    description:
      - VMware network (port-group key or name) -> OpenStack network, as "<network>" or "<network>,<subnet>" (vmware_inventory's option).
    type: dict
    default: {}
  network_name:
    description:
      - Network (name or ID) of every port when used_mapped_networks is false (openstack_private_network).
    type: str
  os_migrate_vmw_data_dir:
    description:
      - Directory where assessment.json is written.
    type: str
    required: true
  parallel:
    description:
      - VMs whose disks are read at once.
    type: int
    default: 8
  read_disks:
    description:
      - "Open each disk through disk_source, and read it where that is safe (local source, or VM powered off); false: those checks do not run."
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
  use_existing_flavor:
    description:
      - Pick the best matching existing flavor (best_match_flavor); when false or nothing fits, a flavor is created per VM.
    type: bool
    default: true
  use_fixed_ips:
    description:
      - The ports keep the VMware IPv4 addresses.
    type: bool
    default: false
  used_mapped_networks:
    description:
      - Ports on the networks of network_map (true) or all on network_name.
    type: bool
    default: false
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
  vms_list:
    description:
      - VM names or inventory paths (/DC0/vm/folder/name) to assess; default every VM of the vCenter.
    type: list
    elements: str
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
  - "The migration options have the import_workloads role's names (vcenter_hostname, disk_source, cbt_sync, allow_empty_disks, skip_conversion, cinder_volume_type, volume_type_mapping, cinder_az, multidiskfs, ...): pass the same values as to the migration, so that the assessment judges the run that will happen."
  - "A running VM's disks are opened but not read over https or ssh (ESXi locks them), and vddk reads only from a snapshot: whether those disks hold data is not_run; the migration checks it before it creates anything."
  - Other projects' ports (MAC conflicts) are visible only to an admin; without it openstack.mac_visibility is not_run.
  - Where this collection deliberately differs from upstream os-migrate/vmware-migration-kit 2.2 (arguments, results, behaviour), docs/upstream-differences.md in the collection says how and why, with every upstream argument of every module.
'''

EXAMPLES = r'''
- name: Assess every VM of the vCenter
  os_migrate.vmware_migration_kit.vmware_assessment:
    os_migrate_vmw_data_dir: /opt/os-migrate
    dst_cloud: "{{ dst_cloud }}"
    vcenter_hostname: "{{ vcenter_hostname }}"
    vcenter_username: "{{ vcenter_username }}"
    vcenter_password: "{{ vcenter_password }}"
    disk_source: https
    network_name: private
    conversion_hosts: [conv-host-1]
  register: assessment
'''

RETURN = r'''
path:
  description: Path of assessment.json (written unless in check mode).
  returned: always
  type: str
summary:
  description: "ready, warning, blocked: VMs per status; checks: per check id the count of each severity."
  returned: always
  type: dict
assessment:
  description: The whole assessment (the content of assessment.json).
  returned: always
  type: dict
'''
