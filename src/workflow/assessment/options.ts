import type { MigrateRequest } from '../migrate-request.js';

/** What the assessment is asked: the migration's own options (so it judges the run that will happen) and the mapping. */
export interface AssessOptions {
  /** The migration request the VMs would be migrated with (vmName, folder and runId are set per VM). */
  migration: Omit<MigrateRequest, 'vmName' | 'folder' | 'runId'>;
  /** VM names or inventory paths; undefined: every VM of the vCenter. */
  vmNames: string[] | undefined;
  network: {
    usedMappedNetworks: boolean;
    /** VMware network (port-group key or name) -> OpenStack network (name or ID, optionally ",<subnet>"). */
    networkMap: Record<string, string>;
    /** Every port's network when usedMappedNetworks is false. */
    networkName: string | undefined;
    securityGroups: string[];
    useFixedIps: boolean;
  };
  flavor: { uuid: string | undefined; useExisting: boolean };
  /** Conversion host servers (name or ID) in OpenStack; empty: their checks do not run. */
  conversionHosts: string[];
  /** Volumes one conversion host can have attached at once (virtio-blk: about 26 device names). */
  maxDisksPerConversionHost: number;
  /** Read the disks through the disk source (descriptor, extents, data where safe); false: those checks do not run. */
  readDisks: boolean;
  /** Disk reads (VMs) at once. */
  parallel: number;
}
