/**
 * assessment.html rendered by Debian's headless Chromium (scripts/install-deps installs it): no script error, a
 * screenshot with content, and every number on the page (read back from the DOM Chromium built, through the data-*
 * attributes) equal to what assessment.json, waves.yml and verification.json say. The page loads nothing from
 * elsewhere, and names from the source (a VM called like an HTML tag) stay text.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { inflateSync } from 'node:zlib';
import type { AssessmentFile } from '../../../src/workflow/assessment/assessment-file.js';
import { buildReport } from '../../../src/workflow/assessment/report-file.js';
import { planWaves } from '../../../src/workflow/assessment/waves.js';
import { readWaves, wavesYaml } from '../../../src/workflow/assessment/waves-file.js';
import { assessment, dataVms, simulatorVms, writeAssessment } from './fixture.js';

const CHROMIUM = '/usr/bin/chromium';
const GiB = 1024 ** 3;

interface Element {
  tag: string;
  data: Record<string, string>;
}

const unescape = (s: string) =>
  s.replace(/&(#\d+|amp|quot|lt|gt|nbsp);/g, (_, e: string) => ({ amp: '&', quot: '"', lt: '<', gt: '>', nbsp: '\u00a0' })[e] ?? String.fromCharCode(Number(e.slice(1))));

/** Every element of the serialised DOM with its data-* attributes, in document order. */
function elements(dom: string): Element[] {
  return [...dom.matchAll(/<([a-zA-Z][\w-]*)((?:\s+[^\s=>]+(?:="[^"]*")?)*)\s*\/?>/g)].map((m) => ({
    tag: (m[1] as string).toLowerCase(),
    data: Object.fromEntries([...(m[2] as string).matchAll(/\sdata-([\w-]+)="([^"]*)"/g)].map((a) => [a[1] as string, unescape(a[2] as string)])),
  }));
}

/** Run headless Chromium on a file; the Console lines of its log are the page's messages and errors. */
function chromium(args: string[], file: string, profile: string): { stdout: string; console: string[] } {
  const p = spawnSync(
    CHROMIUM,
    ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', `--user-data-dir=${profile}`, '--enable-logging=stderr', '--v=0', ...args, `file://${file}`],
    { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 },
  );
  assert.equal(p.status, 0, `chromium failed (${p.status} ${p.signal ?? ''}): ${p.stderr.slice(-2000)}`);
  return { stdout: p.stdout, console: p.stderr.split('\n').filter((l) => /:CONSOLE|Uncaught|net::ERR_/.test(l)) };
}

/** The PNG's size and how many distinct byte values its decoded scanlines hold (a blank page has a handful). */
function pngFacts(path: string): { width: number; height: number; distinct: number } {
  const png = readFileSync(path);
  assert.deepEqual([...png.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], 'not a PNG');
  const idat: Buffer[] = [];
  let width = 0;
  let height = 0;
  for (let off = 8; off < png.length; ) {
    const len = png.readUInt32BE(off);
    const type = png.subarray(off + 4, off + 8).toString('latin1');
    const body = png.subarray(off + 8, off + 8 + len);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
    }
    if (type === 'IDAT') idat.push(body);
    off += 12 + len;
  }
  return { width, height, distinct: new Set(inflateSync(Buffer.concat(idat))).size };
}

describe('assessment.html in headless Chromium', () => {
  let dir: string;
  let a: AssessmentFile;
  const hostile = '<img src=x onerror=alert(1)> & "quoted"';

  before(() => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: run scripts/install-deps (it installs Debian's chromium)`);
    dir = mkdtempSync(join(tmpdir(), 'osm-report-'));
    const extra = { ...(dataVms()[3] as AssessmentFile['vms'][number]), name: hostile, target_name: 'img_src_x' };
    a = assessment([...simulatorVms(), ...dataVms(), extra], { instances: 20, gigabytes: 400 });
    writeAssessment(dir, a);
    const plan = planWaves({ assessment: a, groups: [['osm-single', 'osm-multidisk']], priority: [], order: 'largest', bytesPerSecond: 8 * 1024 * 1024, limits: { maxInstancesInFlight: 5, maxParallelMigrations: 5, conversionHosts: 2 } });
    writeFileSync(join(dir, 'waves.yml'), wavesYaml(plan, { bytes_per_second: 8 * 1024 * 1024, rate_source: 'configured' }));
    const check = (id: string, passed: boolean | null) => ({ id, expected: true, observed: passed, passed, message: `${id} ${passed}` });
    writeFileSync(
      join(dir, 'verification.json'),
      JSON.stringify({
        vms: [
          { vm: 'osm-single', passed: true, duration_seconds: 3, checks: [check('server', true), check('volumes', true), check('guest_console', null)] },
          { vm: 'osm-multidisk', passed: false, duration_seconds: 4, checks: [check('server', true), check('ports', false)] },
          { vm: 'DC0_H0_VM0', passed: false, checks: [], error: 'no result' },
        ],
      }),
    );
    writeFileSync(join(dir, 'assessment.html'), buildReport(dir));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is one self-contained file: no script, no link, no external URL', () => {
    const html = readFileSync(join(dir, 'assessment.html'), 'utf8');
    const tags = new Set([...html.matchAll(/<([a-zA-Z][\w-]*)/g)].map((m) => (m[1] as string).toLowerCase()));
    for (const t of ['script', 'link', 'img', 'iframe', 'object', 'embed', 'image', 'use']) assert.ok(!tags.has(t), `<${t}> in the page`);
    const attributes = [...html.matchAll(/<[a-zA-Z][^>]*>/g)].flatMap((m) => [...m[0].replace(/"[^"]*"/g, '""').matchAll(/\s([\w:-]+)=/g)].map((a) => (a[1] as string).toLowerCase()));
    for (const a of ['src', 'href', 'xlink:href', 'srcset', 'action']) assert.ok(!attributes.includes(a), `${a}= in the page`);
    assert.ok(!attributes.some((a) => a.startsWith('on')), 'an event handler attribute in the page');
    const style = html.match(/<style>([^<]*)<\/style>/)?.[1] ?? '';
    assert.doesNotMatch(style, /url\(|@import/);
    assert.ok(tags.has('svg') && style.length > 0);
  });

  it('renders with no script error and gives a screenshot with content', () => {
    const png = join(dir, 'assessment.png');
    const run = chromium([`--screenshot=${png}`, '--window-size=1280,2400', '--hide-scrollbars'], join(dir, 'assessment.html'), join(dir, 'profile-1'));
    assert.deepEqual(run.console, []);
    const facts = pngFacts(png);
    assert.deepEqual([facts.width, facts.height], [1280, 2400]);
    assert.ok(facts.distinct > 40, `the screenshot looks blank (${facts.distinct} distinct byte values)`);
    if (process.env.OSM_KEEP_SCREENSHOT) writeFileSync(process.env.OSM_KEEP_SCREENSHOT, readFileSync(png));
  });

  it('the harness sees a script error when a page has one (so the check above can fail)', () => {
    const bad = join(dir, 'bad.html');
    writeFileSync(bad, '<!DOCTYPE html><html><body><p>x</p><script>notDefined();</script></body></html>');
    const run = chromium(['--dump-dom'], bad, join(dir, 'profile-2'));
    assert.equal(run.console.length, 1);
    assert.match(run.console[0] as string, /Uncaught ReferenceError: notDefined is not defined/);
  });

  it('shows the numbers of assessment.json, waves.yml and verification.json', () => {
    const run = chromium(['--dump-dom'], join(dir, 'assessment.html'), join(dir, 'profile-3'));
    assert.deepEqual(run.console, []);
    const els = elements(run.stdout);
    const w = readWaves(dir);
    const find = (key: string) => els.filter((e) => key in e.data);
    const num = (e: Element, k: string) => Number(e.data[k]);

    // totals
    const totals = Object.fromEntries(find('total').map((e) => [e.data.total, num(e, 'value')]));
    assert.deepEqual(totals, {
      vms: a.vms.length,
      ready: a.vms.filter((v) => v.status === 'ready').length,
      warning: a.vms.filter((v) => v.status === 'warning').length,
      blocked: a.vms.filter((v) => v.status === 'blocked').length,
      disks: a.vms.reduce((s, v) => s + v.disks.length, 0),
      bytes: a.vms.reduce((s, v) => s + v.bytes_to_read, 0),
      waves: w.waves.length,
      seconds: w.waves.reduce((s, x) => s + x.estimated_seconds, 0),
    });
    assert.deepEqual([totals.vms, totals.warning, totals.blocked], [37, 32, 2]);

    // blocked VMs first, with their blocking checks and fixes
    const vmCards = find('vm').filter((e) => 'status' in e.data);
    assert.deepEqual(vmCards.map((e) => e.data.vm).sort(), a.vms.filter((v) => v.status !== 'ready').map((v) => v.name).sort());
    const firstWarning = vmCards.findIndex((e) => e.data.status === 'warning');
    assert.deepEqual(vmCards.slice(0, firstWarning).map((e) => e.data.vm), ['osm-independent', 'osm-snapshot']);
    const text = unescape(run.stdout);
    for (const v of a.vms.filter((x) => x.status === 'blocked')) for (const c of v.checks.filter((x) => x.severity === 'blocker')) assert.ok(text.includes(`Fix: ${c.fix}`), c.id);
    // the hostile name is text, not an element
    assert.ok(vmCards.some((e) => e.data.vm === hostile));
    assert.equal(els.filter((e) => e.tag === 'img').length, 0);

    // waves: table rows and both bar charts
    const rows = find('wave').filter((e) => e.tag === 'tr');
    assert.deepEqual(
      rows.map((e) => ({ name: e.data.wave, vms: num(e, 'vms'), bytes: num(e, 'bytes'), seconds: num(e, 'seconds') })),
      w.waves.map((x) => ({ name: x.name, vms: x.vms.length, bytes: x.bytes, seconds: x.estimated_seconds })),
    );
    for (const kind of ['bytes', 'seconds'] as const) {
      const bars = find('bar').filter((e) => e.data.bar === kind);
      assert.deepEqual(bars.map((e) => [e.data.wave, num(e, 'value')]), w.waves.map((x) => [x.name, kind === 'bytes' ? x.bytes : x.estimated_seconds]));
    }
    assert.ok(w.waves.every((x) => x.vms.length <= 5));
    assert.ok(w.waves.some((x) => x.bytes > 0 && x.estimated_seconds > 0));
    assert.deepEqual(find('unplanned').map((e) => e.data.unplanned).sort(), ['osm-independent', 'osm-snapshot']);

    // per datastore and per network
    const ds = Object.fromEntries(find('datastore').map((e) => [e.data.datastore, [num(e, 'vms'), num(e, 'disks'), num(e, 'capacity'), num(e, 'bytes')]]));
    const expectDs: Record<string, number[]> = {};
    for (const v of a.vms)
      for (const d of v.disks) {
        const k = d.datastore ?? '(unknown)';
        const e = (expectDs[k] ??= [0, 0, 0, 0]);
        e[1]! += 1;
        e[2]! += d.capacity_bytes;
        e[3]! += d.allocated_bytes ?? d.capacity_bytes;
      }
    for (const k of Object.keys(expectDs)) expectDs[k]![0] = a.vms.filter((v) => v.disks.some((d) => (d.datastore ?? '(unknown)') === k)).length;
    assert.deepEqual(ds, expectDs);
    assert.equal(ds.LocalDS_0?.[2], 30 * 10 * GiB + 128 * 1024 ** 2 + 96 * 1024 ** 2 + 3 * 64 * 1024 ** 2);
    const nets = Object.fromEntries(find('network').map((e) => [e.data.network, [num(e, 'vms'), num(e, 'nics')]]));
    assert.deepEqual(nets, { 'DC0_DVPG0 -> private': [31, 31], 'Lab Isolated -> (no mapping)': [1, 1], 'VM Network -> private': [6, 6] });

    // check counts
    const counts = Object.fromEntries(find('check-summary').map((e) => [e.data['check-summary'], { ok: num(e, 'ok'), info: num(e, 'info'), warning: num(e, 'warning'), blocker: num(e, 'blocker'), not_run: num(e, 'not-run') }]));
    assert.deepEqual(counts, a.summary.checks);

    // verification
    const ver = Object.fromEntries(find('verified').map((e) => [e.data.verified, [e.data.passed, num(e, 'checks-passed'), num(e, 'checks-failed'), num(e, 'checks-not-run')]]));
    assert.deepEqual(ver, { 'osm-single': ['true', 2, 0, 1], 'osm-multidisk': ['false', 1, 1, 0], DC0_H0_VM0: ['false', 0, 0, 0] });
  });
});
