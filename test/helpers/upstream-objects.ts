import type { Session } from '../../src/openstack/auth.js';
import { createFlavor, deleteFlavor, getFlavor } from '../../src/openstack/flavors.js';
import { createServer, deleteServer, getServer, waitForServerGone, waitForServerStatus } from '../../src/openstack/servers.js';
import { createPort, deletePort, getPort } from '../../src/openstack/network.js';
import { deleteVolume, getVolume, setBootable, waitForVolumeGone, waitForVolumeStatus } from '../../src/openstack/volume.js';

/**
 * OpenStack objects made the way upstream's kit makes them (no marker unless asked), for the tests of
 * accept_upstream_names; whatever is left of them is removed by cleanup().
 */

const wait = { timeoutMs: 180_000, intervalMs: 1000 };

const run = (process.pid * 7919 + Date.now()) % 0xffff;

/** A locally administered MAC unique to this run. */
export function mac(n: number): string {
  const r = run;
  return `fa:16:3f:${((r >> 8) & 0xff).toString(16).padStart(2, '0')}:${(r & 0xff).toString(16).padStart(2, '0')}:${n.toString(16).padStart(2, '0')}`;
}

export class UpstreamObjects {
  servers: string[] = [];
  ports: string[] = [];
  volumes: string[] = [];
  flavors: string[] = [];
  constructor(readonly s: Session) {}

  async volume(name: string, metadata: Record<string, string>, bootable = false): Promise<string> {
    const res = await this.s.request('block-storage', `create volume ${name}`, 'POST', '/volumes', { body: { volume: { name, size: 1, metadata } } });
    const id = (res.body as { volume: { id: string } }).volume.id;
    this.volumes.push(id);
    await waitForVolumeStatus(this.s, id, 'available', wait);
    if (bootable) await setBootable(this.s, id, true);
    return id;
  }

  async port(name: string, networkId: string, macAddress: string, description?: string): Promise<string> {
    const p = await createPort(this.s, { name, networkId, macAddress, ...(description ? { description } : {}) });
    this.ports.push(p.id);
    return p.id;
  }

  async server(name: string, flavorId: string, volumeId: string, portId: string): Promise<string> {
    const { id } = await createServer(this.s, { name, flavorRef: flavorId, networks: [{ port: portId }], blockDevices: [{ volumeId, bootIndex: 0 }] });
    this.servers.push(id);
    await waitForServerStatus(this.s, id, 'ACTIVE', wait);
    return id;
  }

  /** Far larger than any lab VM, so best_match_flavor never picks it for a migration running meanwhile. */
  async flavor(name: string): Promise<string> {
    const f = await createFlavor(this.s, { name, vcpus: 64, ram: 512 * 1024, disk: 0 });
    this.flavors.push(f.id);
    return f.id;
  }

  async cleanup(): Promise<void> {
    const quietly = async (f: () => Promise<unknown>) => {
      try {
        await f();
      } catch (e) {
        console.error(`cleanup: ${(e as Error).message}`);
      }
    };
    for (const id of this.servers) await quietly(async () => (await getServer(this.s, id)) && (await deleteServer(this.s, id), await waitForServerGone(this.s, id, wait)));
    for (const id of this.ports) await quietly(async () => (await getPort(this.s, id)) && deletePort(this.s, id));
    for (const id of this.volumes) await quietly(async () => (await getVolume(this.s, id)) && (await waitForVolumeStatus(this.s, id, 'available', wait), await deleteVolume(this.s, id), await waitForVolumeGone(this.s, id, wait)));
    for (const id of this.flavors) await quietly(async () => (await getFlavor(this.s, id)) && deleteFlavor(this.s, id));
  }
}
