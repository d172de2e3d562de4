// Text renderings of a profile for the CLI: an aligned table and CSV (one row per layer).
import { PROFILE_KINDS, type NormProfile, type ProfileKind } from './types';

const fmt = (v: number | null): string => (v === null ? '-' : v.toPrecision(5));

export function profileTable(p: NormProfile, kinds: readonly ProfileKind[] = PROFILE_KINDS, after?: NormProfile): string {
  const cols = after ? kinds.flatMap((k) => [`${k} before`, `${k} after`]) : [...kinds];
  const rows: string[][] = [];
  const n = Math.max(p.layers.length, after?.layers.length ?? 0);
  for (let i = 0; i < n; i++) {
    const b = p.layers[i], a = after?.layers[i];
    const layer = String((a ?? b)!.layer);
    rows.push([layer, ...kinds.flatMap((k) => (after ? [fmt(b?.values[k] ?? null), fmt(a?.values[k] ?? null)] : [fmt(b?.values[k] ?? null)]))]);
  }
  const head = ['layer', ...cols];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padStart(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function csvCell(v: string): string {
  return /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function profileCsv(p: NormProfile, kinds: readonly ProfileKind[] = PROFILE_KINDS, after?: NormProfile): string {
  const head = ['model', 'layer', ...kinds];
  const rows = [head.join(',')];
  const emit = (label: string, q: NormProfile) => {
    for (const l of q.layers) rows.push([label, String(l.layer), ...kinds.map((k) => (l.values[k] === null ? '' : String(l.values[k])))].map(csvCell).join(','));
  };
  emit(after ? 'before' : 'source', p);
  if (after) emit('after', after);
  return rows.join('\n') + '\n';
}
