import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { networkScript, UDEV_RULES_PATH, type GuestNic } from '../../src/conversion/network-script.js';

const MAC1 = '00:50:56:aa:00:01';
const MAC2 = '00:50:56:aa:00:02';

interface Run {
  /** mac -> pinned name, from the udev rules the script wrote (undefined when it wrote none). */
  pins: Map<string, string> | undefined;
  rules: string | undefined;
  stdout: string;
}

/** Runs the generated script with `sh` against a fake guest root holding `files` (path -> content). */
function runInGuest(nics: GuestNic[], files: Record<string, string>): Run {
  const root = mkdtempSync(join(tmpdir(), 'osm-guest-root-'));
  try {
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), content);
    }
    const script = join(root, 'network_config.sh');
    writeFileSync(script, networkScript(nics), { mode: 0o755 });
    const stdout = execFileSync('sh', [script], { env: { PATH: process.env.PATH, OSM_GUEST_ROOT: root } }).toString();
    const rulesPath = join(root, UDEV_RULES_PATH);
    if (!existsSync(rulesPath)) return { pins: undefined, rules: undefined, stdout };
    const rules = readFileSync(rulesPath, 'utf8');
    const pins = new Map<string, string>();
    for (const line of rules.split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      const m = /^SUBSYSTEM=="net", ACTION=="add", DRIVERS=="\?\*", ATTR\{address\}=="([0-9a-f:]{17})", ATTR\{type\}=="1", NAME="([^"]+)"$/.exec(line);
      assert.ok(m, `unexpected rule line: ${line}`);
      pins.set(m[1]!, m[2]!);
    }
    return { pins, rules, stdout };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

function pinsOf(entries: Array<[string, string]>): Map<string, string> {
  return new Map(entries);
}

test('NetworkManager keyfiles: names follow mac-address=, not file order', () => {
  const run = runInGuest([{ mac: MAC1 }, { mac: MAC2 }], {
    // "a" sorts first but belongs to the second NIC.
    '/etc/NetworkManager/system-connections/a-backend.nmconnection':
      '[connection]\nid=backend\ntype=ethernet\ninterface-name=ens224\n\n[ethernet]\nmac-address=00:50:56:AA:00:02\n',
    '/etc/NetworkManager/system-connections/b-frontend.nmconnection':
      '[connection]\nid=frontend\ntype=ethernet\ninterface-name=ens192\n\n[ethernet]\nmac-address=00:50:56:AA:00:01\n',
  });
  assert.deepEqual(run.pins, pinsOf([[MAC1, 'ens192'], [MAC2, 'ens224']]));
  assert.match(run.stdout, /00:50:56:aa:00:01 -> ens192 \(by MAC in guest config\)/);
});

test('ifcfg (RHEL): names follow HWADDR=, not file order', () => {
  const run = runInGuest([{ mac: MAC1, name: 'ens192' }, { mac: MAC2, name: 'ens224' }], {
    '/etc/sysconfig/network-scripts/ifcfg-eth0': 'TYPE=Ethernet\nDEVICE="eth0"\nHWADDR="00:50:56:aa:00:02"\nBOOTPROTO=dhcp\n',
    '/etc/sysconfig/network-scripts/ifcfg-eth1': "TYPE=Ethernet\nDEVICE=eth1\nHWADDR='00:50:56:AA:00:01'\nBOOTPROTO=dhcp\n",
    '/etc/sysconfig/network-scripts/ifcfg-lo': 'DEVICE=lo\nIPADDR=127.0.0.1\n',
  });
  assert.deepEqual(run.pins, pinsOf([[MAC1, 'eth1'], [MAC2, 'eth0']]));
});

test('netplan: set-name under match: macaddress: is pinned to that MAC; unmatched ids are names', () => {
  const run = runInGuest([{ mac: MAC1 }, { mac: MAC2, name: 'ens224' }], {
    '/etc/netplan/50-cloud-init.yaml': [
      'network:',
      '  version: 2',
      '  ethernets:',
      '    nic-b:',
      '      match:',
      '        macaddress: "00:50:56:aa:00:01"',
      '      set-name: lan1',
      '      dhcp4: true',
      '    ens224:',
      '      addresses: [10.0.0.9/24]',
      '',
    ].join('\n'),
  });
  assert.deepEqual(run.pins, pinsOf([[MAC1, 'lan1'], [MAC2, 'ens224']]));
  assert.match(run.stdout, /00:50:56:aa:00:02 -> ens224 \(derived name used by guest config\)/);
});

test('Debian ifupdown: the derived VMware names are pinned to their MACs whatever the stanza order', () => {
  const run = runInGuest([{ mac: MAC1, name: 'ens192' }, { mac: MAC2, name: 'ens224' }], {
    '/etc/network/interfaces':
      'source /etc/network/interfaces.d/*\nauto lo\niface lo inet loopback\n\nauto ens224\niface ens224 inet dhcp\n',
    '/etc/network/interfaces.d/ens192': 'allow-hotplug ens192\niface ens192 inet dhcp\n',
  });
  assert.deepEqual(run.pins, pinsOf([[MAC1, 'ens192'], [MAC2, 'ens224']]));
  assert.match(run.stdout, /-> ens192 \(derived name used by guest config\)/);
});

test('static addresses pair NICs with configs that carry no MAC (ifupdown, two NICs, swapped order)', () => {
  const run = runInGuest(
    [
      { mac: MAC1, name: 'ens192', ipaddresses: ['192.168.10.5/24', 'fe80::250:56ff:feaa:1%ens192'] },
      { mac: MAC2, name: 'ens224', ipaddresses: ['10.0.0.9'] },
    ],
    {
      '/etc/network/interfaces': [
        'auto eth0',
        'iface eth0 inet static',
        '    address 10.0.0.9/24',
        'auto eth1',
        'iface eth1 inet static',
        '    address 192.168.10.5',
        '    netmask 255.255.255.0',
        '',
      ].join('\n'),
    },
  );
  assert.deepEqual(run.pins, pinsOf([[MAC1, 'eth1'], [MAC2, 'eth0']]));
});

test('a single NIC takes the only configured name when neither MAC nor derived name matches', () => {
  const run = runInGuest([{ mac: MAC1, name: 'ens192' }], {
    '/etc/network/interfaces': 'auto lo\niface lo inet loopback\nallow-hotplug eth0\niface eth0 inet dhcp\n',
  });
  assert.deepEqual(run.pins, pinsOf([[MAC1, 'eth0']]));
});

test('two NICs without any hint in the guest keep their derived names; no derived name means no rule', () => {
  assert.deepEqual(
    runInGuest([{ mac: MAC1, name: 'ens192' }, { mac: MAC2, name: 'ens224' }], {}).pins,
    pinsOf([[MAC1, 'ens192'], [MAC2, 'ens224']]),
  );
  const none = runInGuest([{ mac: MAC1 }], {});
  assert.equal(none.rules, undefined);
  assert.match(none.stdout, /no NIC name to pin/);
});

test('a name is given to one NIC only', () => {
  // The config binds ens224 to MAC2 by MAC, so NIC 1 (derived name ens224) must not also get it.
  const run = runInGuest([{ mac: MAC1, name: 'ens224' }, { mac: MAC2 }], {
    '/etc/sysconfig/network-scripts/ifcfg-ens224': 'DEVICE=ens224\nHWADDR=00:50:56:aa:00:02\n',
  });
  assert.deepEqual(run.pins, pinsOf([[MAC2, 'ens224']]));
  assert.match(run.stdout, /00:50:56:aa:00:01 -> - \(no name found\)/);
});

test('names read from the guest cannot inject udev syntax', () => {
  const run = runInGuest([{ mac: MAC1 }], {
    '/etc/sysconfig/network-scripts/ifcfg-x': 'DEVICE=\'eth0", RUN+="/bin/evil\'\nHWADDR=00:50:56:aa:00:01\n',
  });
  assert.equal(run.rules, undefined);
  assert.match(run.stdout, /00:50:56:aa:00:01 -> - \(no name found\)/);
});

test('caller input is validated strictly', () => {
  assert.throws(() => networkScript([{ mac: "00:50:56:aa:00:01'; rm -rf / #" }]), /NIC #1 .*not a MAC address/);
  assert.throws(() => networkScript([{ mac: '00-50-56-aa-00-01' }]), /not a MAC address/);
  assert.throws(() => networkScript([{ mac: MAC1, name: 'ens192"' }]), /not a valid Linux interface name/);
  assert.throws(() => networkScript([{ mac: MAC1, name: 'averyveryverylong0' }]), /not a valid Linux interface name/);
  assert.throws(() => networkScript([{ mac: MAC1, ipaddresses: ['10.0.0.1; reboot'] }]), /not an IP address/);
  assert.throws(() => networkScript([{ mac: MAC1 }, { mac: MAC1.toUpperCase() }]), /same MAC address/);
  assert.throws(() => networkScript([{ mac: MAC1, name: 'eth0' }, { mac: MAC2, name: 'eth0' }]), /same interface name/);
});

test('the script is POSIX sh: it parses with dash -n and carries the NIC table verbatim', () => {
  const script = networkScript([{ mac: '00:50:56:AA:00:01', name: 'ens192', ipaddresses: ['10.0.0.5/24'] }]);
  assert.ok(script.startsWith('#!/bin/sh\n'));
  assert.match(script, /\nnics='00:50:56:aa:00:01 ens192 10\.0\.0\.5'\n/);
  execFileSync('sh', ['-n'], { input: script });
});
