"""Cinder NFS driver with manage-existing / unmanage, which Zed's NfsDriver lacks."""
from cinder.volume.drivers import nfs
from cinder.volume.drivers import remotefs


class ManageableNfsDriver(remotefs.RemoteFSManageableVolumesMixin, nfs.NfsDriver):
    pass
