import type { Flavor } from '../../openstack/flavors.js';
import { GiB } from '../../util/units.js';
import type { VmDetail } from '../../vmware/vm.js';
import { NoFlavorFits, bestMatchFlavor, toolFlavorName } from '../flavor.js';
import type { AssessedVm, AssessmentCheck } from './assessment-file.js';
import { blocker, info, ok } from './check.js';
import type { AssessOptions } from './options.js';

/** The flavor sizes a created flavor would get (what export_flavor writes) and its vCPUs/RAM for the quotas. */
export interface FlavorChoice {
  flavor: AssessedVm['flavor'];
  vcpus: number;
  ramMb: number;
  check: AssessmentCheck;
}

/**
 * The flavor the migration would give the VM, decided as the convert_metadata role does: flavor_uuid when given;
 * else, with use_existing_flavor, best_match_flavor's choice (the same function, boot from volume); else, or when
 * nothing fits, the flavor export_flavor and create_flavor would make for the VM.
 */
export function chooseFlavor(vm: VmDetail, flavors: Flavor[], o: AssessOptions): FlavorChoice {
  const need = { vcpus: vm.numCpu, ramMb: vm.memoryMb, diskBytes: vm.disks.reduce((s, d) => s + d.capacityBytes, 0) };
  if (o.flavor.uuid) {
    const f = flavors.find((x) => x.id === o.flavor.uuid) ?? flavors.filter((x) => x.name === o.flavor.uuid)[0];
    if (!f) {
      return {
        flavor: { name: null, id: null, source: 'none', reason: `flavor_uuid ${o.flavor.uuid} is not a flavor this project sees` },
        vcpus: need.vcpus,
        ramMb: need.ramMb,
        check: blocker('openstack.flavor', `flavor_uuid ${o.flavor.uuid} is not a flavor this project sees`, 'set flavor_uuid to an existing flavor ID, or leave it unset'),
      };
    }
    const small = f.vcpus < need.vcpus || f.ram < need.ramMb;
    return {
      flavor: { name: f.name, id: f.id, source: 'existing', reason: `flavor_uuid names ${f.name}` },
      vcpus: f.vcpus,
      ramMb: f.ram,
      check: small
        ? info('openstack.flavor', `flavor_uuid ${f.name} (${f.vcpus} vCPU, ${f.ram} MiB) is smaller than ${vm.name} (${need.vcpus} vCPU, ${need.ramMb} MiB)`)
        : ok('openstack.flavor', `flavor_uuid ${f.name}`),
    };
  }
  let why = 'use_existing_flavor is off';
  if (o.flavor.useExisting) {
    try {
      const m = bestMatchFlavor(flavors, need, { bootFromVolume: true });
      return {
        flavor: { name: m.flavor.name, id: m.flavor.id, source: 'existing', reason: m.reason },
        vcpus: m.flavor.vcpus,
        ramMb: m.flavor.ram,
        check: ok('openstack.flavor', `existing flavor ${m.reason}`),
      };
    } catch (e) {
      if (!(e instanceof NoFlavorFits)) throw e;
      why = e.message;
    }
  }
  const name = toolFlavorName(vm.name, { vcpus: need.vcpus, ram: need.ramMb, disk: Math.ceil(need.diskBytes / GiB) });
  return {
    flavor: { name, id: null, source: 'create', reason: `${why}: the migration creates ${name} (${need.vcpus} vCPU, ${need.ramMb} MiB)` },
    vcpus: need.vcpus,
    ramMb: need.ramMb,
    check: info('openstack.flavor', `flavor ${name} is created for ${vm.name} (${why})`),
  };
}
