// assessment.html: the assessment, the waves and (when present) the verification as one self-contained page: inline
// CSS and SVG, no script, no external asset. Every number shown also sits in a data-* attribute, so a test (or a
// user's script) can read the page back and compare it with the JSON.
import { formatBytes, formatDuration } from '../../transfer/progress.js';
import type { AssessedVm, AssessmentCheck, AssessmentFile, CheckSeverity, VmStatus } from './assessment-file.js';
import type { WavesFile } from './waves-file.js';

export interface VerificationEntry {
  vm: string;
  passed: boolean;
  checks: { id: string; passed: boolean | null; message: string }[];
  error?: string;
}

export interface ReportInput {
  assessment: AssessmentFile;
  waves?: WavesFile;
  verification?: VerificationEntry[];
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const attrs = (a: Record<string, string | number>) =>
  Object.entries(a)
    .map(([k, v]) => ` data-${k}="${esc(String(v))}"`)
    .join('');

const table = (head: string[], rows: string[]) => `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;

function checkList(checks: AssessmentCheck[]): string {
  if (!checks.length) return '';
  return `<ul class="checks">${checks
    .map((c) => `<li class="${c.severity}" data-check="${esc(c.id)}" data-severity="${c.severity}"><b>${esc(c.id)}</b>: ${esc(c.message)}${c.fix ? `<div class="fix">Fix: ${esc(c.fix)}</div>` : ''}</li>`)
    .join('')}</ul>`;
}

function totals(a: AssessmentFile, w: WavesFile | undefined): string {
  const bytes = a.vms.reduce((s, v) => s + v.bytes_to_read, 0);
  const disks = a.vms.reduce((s, v) => s + v.disks.length, 0);
  const cells: [string, string, Record<string, string | number>][] = [
    ['VMs', String(a.vms.length), { total: 'vms', value: a.vms.length }],
    ['ready', String(a.summary.ready), { total: 'ready', value: a.summary.ready }],
    ['warning', String(a.summary.warning), { total: 'warning', value: a.summary.warning }],
    ['blocked', String(a.summary.blocked), { total: 'blocked', value: a.summary.blocked }],
    ['disks', String(disks), { total: 'disks', value: disks }],
    ['bytes to read', formatBytes(bytes), { total: 'bytes', value: bytes }],
  ];
  if (w) {
    const seconds = w.waves.reduce((s, x) => s + x.estimated_seconds, 0);
    cells.push(['waves', String(w.waves.length), { total: 'waves', value: w.waves.length }]);
    cells.push(['estimated time', formatDuration(seconds), { total: 'seconds', value: seconds }]);
  }
  return `<div class="totals">${cells.map(([label, shown, data]) => `<div class="total"${attrs(data)}><span class="n">${esc(shown)}</span><span>${esc(label)}</span></div>`).join('')}</div>`;
}

/** One card per set of identical findings (thirty VMs with the same warning make one card naming the thirty). */
function vmSection(title: string, cls: string, vms: AssessedVm[], shown: (c: AssessmentCheck) => boolean): string {
  if (!vms.length) return '';
  const cards = new Map<string, { checks: AssessmentCheck[]; vms: AssessedVm[] }>();
  for (const v of vms) {
    const checks = v.checks.filter(shown);
    const key = JSON.stringify(checks.map((c) => [c.id, c.severity, c.message, c.fix]));
    const card = cards.get(key) ?? { checks, vms: [] };
    card.vms.push(v);
    cards.set(key, card);
  }
  const items = [...cards.values()].map((c) => {
    const tag = (v: AssessedVm) => ` data-vm="${esc(v.name)}" data-status="${v.status}"`;
    const one = c.vms.length === 1 ? (c.vms[0] as AssessedVm) : undefined;
    const head = one ? `<h3${tag(one)}>${esc(one.name)}</h3>` : `<h3>${c.vms.length} VMs</h3><ul class="names">${c.vms.map((v) => `<li${tag(v)}>${esc(v.name)}</li>`).join('')}</ul>`;
    return `<div class="vm ${cls}">${head}${checkList(c.checks)}</div>`;
  });
  return `<section id="${cls}"><h2>${esc(title)} (${vms.length})</h2>${items.join('')}</section>`;
}

/** Horizontal SVG bars, one per wave, scaled to the largest value. */
function bars(waves: WavesFile['waves'], value: (w: WavesFile['waves'][number]) => number, label: (n: number) => string, kind: string): string {
  const max = Math.max(1, ...waves.map(value));
  const rowH = 22;
  const width = 640;
  const labelW = 110;
  const barW = width - labelW - 120;
  const rows = waves.map((w, i) => {
    const len = Math.round((value(w) / max) * barW);
    const y = i * rowH;
    return `<g${attrs({ bar: kind, wave: w.name, value: value(w) })}><text x="0" y="${y + 15}">${esc(w.name)}</text><rect x="${labelW}" y="${y + 3}" width="${Math.max(len, 1)}" height="${rowH - 6}" class="${kind}"/><text x="${labelW + len + 6}" y="${y + 15}">${esc(label(value(w)))}</text></g>`;
  });
  return `<svg role="img" aria-label="${esc(kind)} per wave" width="${width}" height="${waves.length * rowH + 4}" viewBox="0 0 ${width} ${waves.length * rowH + 4}">${rows.join('')}</svg>`;
}

function wavesSection(a: AssessmentFile, w: WavesFile | undefined): string {
  if (!w) return '<section id="waves"><h2>Waves</h2><p>No waves.yml yet: run the plan_waves playbook.</p></section>';
  const source = { configured: 'configured', measured: "measured from earlier runs' logs", default: 'the default (no rate configured, no earlier runs)' }[w.rate_source];
  const rows = w.waves.map(
    (x) => `<tr${attrs({ wave: x.name, vms: x.vms.length, bytes: x.bytes, seconds: x.estimated_seconds })}><td>${esc(x.name)}</td><td>${x.vms.length}</td><td>${esc(formatBytes(x.bytes))}</td><td>${esc(formatDuration(x.estimated_seconds))}</td><td>${esc(x.vms.join(', '))}</td></tr>`,
  );
  const unplanned = w.unplanned.length
    ? `<h3>Not in any wave (${w.unplanned.length})</h3><ul>${w.unplanned.map((u) => `<li data-unplanned="${esc(u.vm)}"><b>${esc(u.vm)}</b>: ${esc(u.reason)}</li>`).join('')}</ul>`
    : '';
  const warnings = w.warnings.map((x) => `<p class="warning">${esc(x)}</p>`).join('');
  const known = new Set(a.vms.map((v) => v.name));
  const strangers = w.waves.flatMap((x) => x.vms).filter((n) => !known.has(n));
  const stale = strangers.length ? `<p class="warning">waves.yml names VMs assessment.json does not have (${esc(strangers.join(', '))}): plan the waves again.</p>` : '';
  return `<section id="waves"><h2>Waves (${w.waves.length})</h2><p>Estimates at ${esc(formatBytes(w.bytes_per_second))}/s, ${esc(source)}.</p>${warnings}${stale}
<div class="charts"><div><h3>Bytes to read</h3>${bars(w.waves, (x) => x.bytes, formatBytes, 'bytes')}</div><div><h3>Estimated time</h3>${bars(w.waves, (x) => x.estimated_seconds, formatDuration, 'seconds')}</div></div>
${table(['wave', 'VMs', 'bytes', 'estimate', 'members'], rows)}${unplanned}</section>`;
}

/** Rows per key: the VMs, items and bytes that fall under it. */
function tally(items: { key: string; vm: string; bytes: number }[]): Map<string, { vms: Set<string>; items: number; bytes: number }> {
  const m = new Map<string, { vms: Set<string>; items: number; bytes: number }>();
  for (const i of items) {
    const e = m.get(i.key) ?? { vms: new Set(), items: 0, bytes: 0 };
    e.vms.add(i.vm);
    e.items++;
    e.bytes += i.bytes;
    m.set(i.key, e);
  }
  return new Map([...m].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
}

function networksSection(a: AssessmentFile): string {
  const t = tally(a.vms.flatMap((v) => v.nics.map((n) => ({ key: `${n.vmware_network} -> ${n.network ?? '(no mapping)'}`, vm: v.name, bytes: 0 }))));
  const rows = [...t].map(([k, e]) => `<tr${attrs({ network: k, vms: e.vms.size, nics: e.items })}><td>${esc(k)}</td><td>${e.vms.size}</td><td>${e.items}</td></tr>`);
  return `<section id="networks"><h2>Per network</h2>${rows.length ? table(['VMware network -> OpenStack network', 'VMs', 'NICs'], rows) : '<p>No NICs.</p>'}</section>`;
}

function datastoresSection(a: AssessmentFile): string {
  const t = tally(
    a.vms.flatMap((v) => v.disks.map((d) => ({ key: d.datastore ?? '(unknown)', vm: v.name, bytes: d.allocated_bytes ?? d.capacity_bytes }))),
  );
  const capacity = new Map<string, number>();
  for (const v of a.vms) for (const d of v.disks) capacity.set(d.datastore ?? '(unknown)', (capacity.get(d.datastore ?? '(unknown)') ?? 0) + d.capacity_bytes);
  const rows = [...t].map(
    ([k, e]) =>
      `<tr${attrs({ datastore: k, vms: e.vms.size, disks: e.items, capacity: capacity.get(k) ?? 0, bytes: e.bytes })}><td>${esc(k)}</td><td>${e.vms.size}</td><td>${e.items}</td><td>${esc(formatBytes(capacity.get(k) ?? 0))}</td><td>${esc(formatBytes(e.bytes))}</td></tr>`,
  );
  return `<section id="datastores"><h2>Per datastore</h2>${rows.length ? table(['datastore', 'VMs', 'disks', 'capacity', 'bytes to read'], rows) : '<p>No disks.</p>'}</section>`;
}

function checksSection(a: AssessmentFile): string {
  const sev: CheckSeverity[] = ['blocker', 'warning', 'not_run', 'info', 'ok'];
  const rows = Object.entries(a.summary.checks)
    .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
    .map(([id, counts]) => `<tr data-check-summary="${esc(id)}"${sev.map((s) => ` data-${s.replace('_', '-')}="${counts[s] ?? 0}"`).join('')}><td>${esc(id)}</td>${sev.map((s) => `<td class="${counts[s] ? s : ''}">${counts[s] ?? 0}</td>`).join('')}</tr>`);
  const env = a.environment_checks.filter((c) => c.severity !== 'ok');
  return `<section id="checks"><h2>Checks</h2>${env.length ? `<h3>Environment</h3>${checkList(env)}` : '<p>Every environment check passed.</p>'}${table(['check', ...sev], rows)}</section>`;
}

function vmTable(a: AssessmentFile, w: WavesFile | undefined): string {
  const waveOf = new Map((w?.waves ?? []).flatMap((x) => x.vms.map((v) => [v, x.name] as const)));
  const rank: Record<VmStatus, number> = { blocked: 0, warning: 1, ready: 2 };
  const rows = [...a.vms]
    .sort((x, y) => rank[x.status] - rank[y.status] || (x.name < y.name ? -1 : 1))
    .map(
      (v) =>
        `<tr${attrs({ 'vm-row': v.name, status: v.status, bytes: v.bytes_to_read })}><td>${esc(v.name)}</td><td class="${v.status}">${v.status}</td><td>${v.cpus} vCPU, ${v.memory_mb} MiB</td><td>${esc(v.flavor.name ?? '-')} (${v.flavor.source})</td><td>${v.disks.length}</td><td>${esc(formatBytes(v.bytes_to_read))}</td><td>${esc(waveOf.get(v.name) ?? '-')}</td></tr>`,
    );
  return `<section id="vms"><h2>Every VM</h2>${table(['VM', 'status', 'size', 'flavor', 'disks', 'bytes to read', 'wave'], rows)}</section>`;
}

function verificationSection(entries: VerificationEntry[] | undefined): string {
  if (!entries) return '';
  const rows = entries.map((e) => {
    const n = (p: boolean | null) => e.checks.filter((c) => c.passed === p).length;
    const failed = e.checks.filter((c) => c.passed === false).map((c) => `${c.id}: ${c.message}`);
    if (e.error) failed.push(e.error);
    return `<tr${attrs({ verified: e.vm, passed: String(e.passed), 'checks-passed': n(true), 'checks-failed': n(false), 'checks-not-run': n(null) })}><td>${esc(e.vm)}</td><td class="${e.passed ? 'ready' : 'blocked'}">${e.passed ? 'passed' : 'FAILED'}</td><td>${n(true)}</td><td>${n(false)}</td><td>${n(null)}</td><td>${esc(failed.join('; '))}</td></tr>`;
  });
  return `<section id="verification"><h2>Verification (${entries.filter((e) => e.passed).length} of ${entries.length} passed)</h2>${table(['VM', 'result', 'passed', 'failed', 'not run', 'failures'], rows)}</section>`;
}

const CSS = `body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;background:#fafafa}h1{margin:0 0 4px}h2{border-bottom:2px solid #ddd;padding-bottom:4px;margin-top:32px}
.meta{color:#666}.totals{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}.total{background:#fff;border:1px solid #ddd;border-radius:6px;padding:10px 16px;min-width:90px}
.total .n{display:block;font-size:24px;font-weight:600}.total[data-total=blocked] .n{color:#b00020}.total[data-total=warning] .n{color:#a36a00}.total[data-total=ready] .n{color:#1b7a2f}
table{border-collapse:collapse;background:#fff;margin:8px 0}th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f0f0f0}
.vm{background:#fff;border:1px solid #ddd;border-left:6px solid #999;border-radius:4px;padding:6px 12px;margin:8px 0}.vm.blocked{border-left-color:#b00020}.vm.warning{border-left-color:#e0a000}.vm h3{margin:4px 0}.names{display:flex;flex-wrap:wrap;gap:4px 14px;list-style:none;padding:0;margin:4px 0;color:#444}
.checks{margin:4px 0;padding-left:20px}.checks li.blocker{color:#b00020}.checks li.warning{color:#8a5a00}.checks li.not_run{color:#555}.fix{color:#222;font-style:italic}
td.blocked,td.blocker{color:#b00020;font-weight:600}td.warning{color:#a36a00}td.ready{color:#1b7a2f}td.not_run{color:#555}p.warning{color:#8a5a00}
.charts{display:flex;flex-wrap:wrap;gap:24px}svg text{font-size:12px;fill:#222}rect.bytes{fill:#3a6fb0}rect.seconds{fill:#6a9f3a}`;

/** The whole page. */
export function renderReport(input: ReportInput): string {
  const { assessment: a, waves: w, verification } = input;
  const blocked = a.vms.filter((v) => v.status === 'blocked');
  const warning = a.vms.filter((v) => v.status === 'warning');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Migration assessment: ${esc(a.vcenter)}</title><style>${CSS}</style></head>
<body${attrs({ 'generated-at': a.generated_at })}>
<h1>Migration assessment</h1><p class="meta">vCenter ${esc(a.vcenter)} to ${esc(a.cloud.auth_url)}${a.cloud.project ? ` (project ${esc(a.cloud.project)})` : ''}, assessed ${esc(a.generated_at)}</p>
${totals(a, w)}
${vmSection('Blocked VMs and their fixes', 'blocked', blocked, (c) => c.severity === 'blocker')}
${wavesSection(a, w)}
${vmSection('VMs with warnings', 'warning', warning, (c) => c.severity === 'warning' || c.severity === 'not_run')}
${networksSection(a)}
${datastoresSection(a)}
${checksSection(a)}
${verificationSection(verification)}
${vmTable(a, w)}
</body></html>
`;
}
