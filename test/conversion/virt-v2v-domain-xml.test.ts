import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, truncateSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { diskLetters, domainXml, targetDevs, writeDomainXml } from '../../src/conversion/virt-v2v-domain-xml.js';

describe('libvirt domain XML for multi-disk conversion', () => {
  it('names disks per family and gives every NVMe disk its own name (upstream: all vda)', () => {
    assert.deepEqual(targetDevs(['scsi', 'sata', 'ide', 'nvme', 'nvme', 'virtio', 'scsi']), ['sda', 'sdb', 'hda', 'nvme0n1', 'nvme0n2', 'vda', 'sdc']);
    assert.deepEqual([0, 25, 26, 27, 51, 52].map(diskLetters), ['a', 'z', 'aa', 'ab', 'az', 'ba']);
  });

  it('writes raw disks, block vs file sources, firmware and an escaped name', () => {
    const xml = domainXml(
      { name: 'vm<1>-Ab3dE9xZ', disks: [{ path: '/dev/vdb', bus: 'scsi' }, { path: '/var/lib/vol & 2', bus: 'nvme' }], firmware: 'efi' },
      ['block', 'file'],
    );
    assert.equal(
      xml,
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<domain type="kvm">',
        '  <name>vm&lt;1&gt;-Ab3dE9xZ</name>',
        '  <memory unit="KiB">2097152</memory>',
        '  <os firmware="efi">',
        '    <type arch="x86_64">hvm</type>',
        '  </os>',
        '  <devices>',
        '    <disk type="block" device="disk">',
        '      <driver name="qemu" type="raw"/>',
        '      <source dev="/dev/vdb"/>',
        '      <target dev="sda" bus="scsi"/>',
        '    </disk>',
        '    <disk type="file" device="disk">',
        '      <driver name="qemu" type="raw"/>',
        '      <source file="/var/lib/vol &amp; 2"/>',
        '      <target dev="nvme0n1" bus="nvme"/>',
        '    </disk>',
        '  </devices>',
        '</domain>',
        '',
      ].join('\n'),
    );
    assert.throws(() => domainXml({ name: 'x', disks: [] }, []), /no disks/);
  });

  it('is read by the real virt-v2v-in-place (--print-source): disk order, buses, UEFI', async () => {
    const dir = mkdtempSync('/var/tmp/osm-test-xml-');
    try {
      const disks = ['d1', 'd2', 'd3'].map((n) => {
        const p = join(dir, n);
        writeFileSync(p, '');
        truncateSync(p, 1024 * 1024);
        return p;
      });
      const path = await writeDomainXml(
        { name: 'osm-multidisk-Ab3dE9xZ', disks: [{ path: disks[0]!, bus: 'scsi' }, { path: disks[1]!, bus: 'sata' }, { path: disks[2]!, bus: 'scsi' }], firmware: 'efi' },
        dir,
      );
      assert.equal(path, join(dir, 'osm-multidisk-Ab3dE9xZ-domain.xml'));
      assert.equal(statSync(path).mode & 0o777, 0o600);
      assert.match(readFileSync(path, 'utf8'), /<source file=/);
      const out = execFileSync('virt-v2v-in-place', ['-i', 'libvirtxml', path, '--print-source'], {
        env: { ...process.env, LIBGUESTFS_BACKEND: 'direct' },
        encoding: 'utf8',
      });
      assert.match(out, /source name: osm-multidisk-Ab3dE9xZ/);
      assert.match(out, /firmware: uefi/);
      assert.match(out, /disks:\s*\n\s*0 \[scsi\]\s*\n\s*1 \[sata\]\s*\n\s*2 \[scsi\]/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
