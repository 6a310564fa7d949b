import type { Progress } from './types.js';

const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function formatBytes(n: number): string {
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}

export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** One log line for a progress sample, e.g. `disk 2000: 1.5 GiB of 4.0 GiB (37%), read 1.1 GiB, 210.3 MiB/s, ETA 12s`. */
export function progressLine(label: string, p: Progress): string {
  const pct = p.total > 0 ? Math.floor((p.done / p.total) * 100) : 100;
  const head = `${label}: ${formatBytes(p.done)} of ${formatBytes(p.total)} (${pct}%), read ${formatBytes(p.bytesRead)}, ${formatBytes(p.bytesPerSecond)}/s`;
  if (p.final) return `${head}, done in ${formatDuration(p.elapsedSeconds)}`;
  return `${head}, ETA ${p.etaSeconds === undefined ? 'unknown' : formatDuration(p.etaSeconds)}`;
}
