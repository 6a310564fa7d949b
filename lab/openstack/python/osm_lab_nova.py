"""Nova compute driver for the lab.

The fake driver, plus two behaviours a real hypervisor has:
- guests survive a nova-compute restart (the fake driver forgets them);
- the conversion-host server sees each attached volume as a block device: a by-id style link
  ``virtio-<first 20 characters of the volume id>`` to the volume's backing file in the Cinder
  NFS directory, created on attach and removed on detach.
"""
import os

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
]
cfg.CONF.register_opts(OPTS, group='osm_lab')


def _link_path(volume_id):
    return os.path.join(cfg.CONF.osm_lab.by_id_dir, 'virtio-' + volume_id[:20])


def _volume_file(connection_info):
    name = connection_info['data'].get('name') or 'volume-' + connection_info['serial']
    return os.path.join(cfg.CONF.osm_lab.cinder_volumes_dir, name)


class ConversionHostDriver(fake.FakeDriver):
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
