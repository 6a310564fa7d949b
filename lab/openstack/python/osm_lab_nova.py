"""Nova compute driver for the lab.

The fake driver, plus three behaviours a real hypervisor has:
- guests survive a nova-compute restart (the fake driver forgets them);
- the conversion-host server sees each attached volume as a block device: a by-id style link
  ``virtio-<first 20 characters of the volume id>`` to the volume's backing file in the Cinder
  NFS directory, created on attach and removed on detach;
- a server whose boot volume holds a GRUB boot sector really boots: its volume file runs under qemu
  (lab/guest/boot: TCG, virtio disk and NIC with the port's MAC, ``-snapshot`` so the volume is never
  written) and the serial console is the server's console output (os-getConsoleOutput). Other servers
  (empty or random-data lab disks) keep the fake driver's fixed console text.
"""
import os
import subprocess

from oslo_config import cfg
from oslo_log import log as logging

from nova.compute import power_state
from nova.virt import fake
from nova.virt import hardware

LOG = logging.getLogger(__name__)

OPTS = [
    cfg.StrOpt('conversion_host_name', default='osm-conversion-host',
               help='Display name of the server that stands for the conversion host.'),
    cfg.StrOpt('by_id_dir', help='Directory where attached volumes appear as by-id links.'),
    cfg.StrOpt('cinder_volumes_dir', help='Directory holding the Cinder NFS volume files.'),
    cfg.StrOpt('guest_boot', help='lab/guest/boot: boots a disk under qemu and waits for the guest report.'),
    cfg.StrOpt('consoles_dir', help='Directory of the serial console logs of booted servers.'),
    cfg.IntOpt('guest_boot_timeout', default=420, help='Seconds a booted guest may run before qemu is stopped.'),
]
cfg.CONF.register_opts(OPTS, group='osm_lab')


def _link_path(volume_id):
    return os.path.join(cfg.CONF.osm_lab.by_id_dir, 'virtio-' + volume_id[:20])


def _volume_file(connection_info):
    name = connection_info['data'].get('name') or 'volume-' + connection_info['serial']
    return os.path.join(cfg.CONF.osm_lab.cinder_volumes_dir, name)


def _console_path(instance):
    return os.path.join(cfg.CONF.osm_lab.consoles_dir, instance.uuid + '.log')


def _boot_volume_file(block_device_info):
    """The backing file of the boot volume (boot index 0, else the first mapping), or None."""
    mappings = (block_device_info or {}).get('block_device_mapping') or []
    boot = [m for m in mappings if m.get('boot_index') == 0] or mappings[:1]
    if not boot or not boot[0].get('connection_info'):
        return None
    return _volume_file(boot[0]['connection_info'])


def _has_grub_boot_sector(path):
    """True when the first sector is a GRUB MBR boot sector (boot signature and GRUB's own text)."""
    try:
        with open(path, 'rb') as f:
            sector = f.read(512)
    except OSError:
        return False
    return len(sector) == 512 and sector[510:512] == b'\x55\xaa' and b'GRUB' in sector


class ConversionHostDriver(fake.FakeDriver):
    def __init__(self, virtapi, read_only=False):
        super().__init__(virtapi, read_only)
        self._boots = {}

    def spawn(self, context, instance, image_meta, injected_files,
              admin_password, allocations, network_info=None,
              block_device_info=None, power_on=True, accel_info=None):
        super().spawn(context, instance, image_meta, injected_files, admin_password,
                      allocations, network_info=network_info,
                      block_device_info=block_device_info, power_on=power_on,
                      accel_info=accel_info)
        if self._is_conversion_host(instance) or not power_on:
            return
        disk = _boot_volume_file(block_device_info)
        if not disk or not _has_grub_boot_sector(disk):
            return
        macs = [vif['address'] for vif in (network_info or [])]
        log = _console_path(instance)
        os.makedirs(cfg.CONF.osm_lab.consoles_dir, exist_ok=True)
        args = [cfg.CONF.osm_lab.guest_boot, '--disk', disk, '--bus', 'virtio', '--log', log,
                '--timeout', str(cfg.CONF.osm_lab.guest_boot_timeout)]
        if macs:
            args += ['--nic', 'virtio-net-pci', '--mac', macs[0]]
        self._boots[instance.uuid] = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        LOG.info('booting %s under qemu; console in %s', disk, log)

    def get_console_output(self, context, instance):
        try:
            with open(_console_path(instance), 'rb') as f:
                return f.read()
        except FileNotFoundError:
            return super().get_console_output(context, instance)

    def destroy(self, context, instance, network_info, block_device_info=None,
                destroy_disks=True, destroy_secrets=True):
        boot = self._boots.pop(instance.uuid, None)
        if boot is not None:
            boot.terminate()
            boot.wait()
        for path in (_console_path(instance), _console_path(instance) + '.qemu'):
            if os.path.exists(path):
                os.unlink(path)
        super().destroy(context, instance, network_info, block_device_info=block_device_info,
                        destroy_disks=destroy_disks, destroy_secrets=destroy_secrets)

    def get_info(self, instance, use_cache=True):
        if instance.uuid not in self.instances:
            self.instances[instance.uuid] = fake.FakeInstance(
                instance.name, power_state.RUNNING, instance.uuid)
        return hardware.InstanceInfo(state=self.instances[instance.uuid].state)

    def _is_conversion_host(self, instance):
        return instance.display_name == cfg.CONF.osm_lab.conversion_host_name

    def attach_volume(self, context, connection_info, instance, mountpoint,
                      disk_bus=None, device_type=None, encryption=None):
        super().attach_volume(context, connection_info, instance, mountpoint,
                              disk_bus=disk_bus, device_type=device_type,
                              encryption=encryption)
        if not self._is_conversion_host(instance):
            return
        link = _link_path(connection_info['serial'])
        target = _volume_file(connection_info)
        os.makedirs(cfg.CONF.osm_lab.by_id_dir, exist_ok=True)
        if os.path.lexists(link):
            os.unlink(link)
        os.symlink(target, link)
        LOG.info('conversion host: %s -> %s', link, target)

    def detach_volume(self, context, connection_info, instance, mountpoint,
                      encryption=None):
        super().detach_volume(context, connection_info, instance, mountpoint,
                              encryption=encryption)
        if not self._is_conversion_host(instance):
            return
        link = _link_path(connection_info['serial'])
        if os.path.lexists(link):
            os.unlink(link)
            LOG.info('conversion host: removed %s', link)
