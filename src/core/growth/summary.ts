// A plan in words, for the CLI and the extension's preview: what grows, what it costs, whether it keeps the function.
import type { GrowthPlan } from './types';

export function formatBytes(n: number): string {
  const u = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1000 && i < u.length - 1) { n /= 1000; i++; }
  return `${n.toFixed(i ? 2 : 0)} ${u[i]}`;
}

export function formatCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}K`;
  return String(n);
}

function compactMap(map: number[]): string {
  return map.length <= 64 ? map.join(' ') : `${map.slice(0, 32).join(' ')} … ${map.slice(-16).join(' ')}`;
}

export function planSummary(p: GrowthPlan): string {
  const L: string[] = [];
  L.push(`family      ${p.source.family}${p.family !== p.source.family ? ` → ${p.family}` : ''}`);
  L.push(`layers      ${p.source.numLayers} → ${p.layerMap.length}`);
  L.push(`layer map   ${compactMap(p.layerMap)}`);
  if (p.identityLayers.length) L.push(`identity    ${p.identityLayers.join(' ')} (output projections zeroed)`);
  if (p.experts) L.push(`experts     ${p.experts.before} → ${p.experts.after}, top-k ${p.experts.topKBefore} → ${p.experts.topKAfter}${p.sigmaMode ? `, σ per ${p.sigmaMode}` : ''}`);
  L.push(`params      ${formatCount(p.before.params)} → ${formatCount(p.after.params)}`);
  L.push(`active      ${formatCount(p.before.activeParams)} → ${formatCount(p.after.activeParams)} (embeddings counted)`);
  L.push(`bytes       ${formatBytes(p.before.bytes)} → ${formatBytes(p.after.bytes)}`);
  const c = p.counts;
  L.push(`tensors     ${c.tensors}: ${c.copied} copied, ${c.zeroed} zeroed, ${c.noised} noised, ${c.sliced} sliced${c.initialised ? `, ${c.initialised} initialised` : ''}${c.dropped ? `, ${c.dropped} drop-upcycled` : ''}`);
  L.push(`function    ${p.functionPreserved.preserved ? 'preserved' : 'NOT preserved'}`);
  for (const r of p.functionPreserved.reasons) L.push(`            - ${r}`);
  if (p.configChanges.length) {
    L.push('config');
    for (const ch of p.configChanges) L.push(`            ${ch.key}: ${JSON.stringify(ch.from) ?? '(absent)'} → ${JSON.stringify(ch.to)}`);
  }
  for (const n of p.notes) L.push(`note        ${n}`);
  return L.join('\n') + '\n';
}

/** The plan without per-tensor details, for `--json` (the full plan can be large). */
export function planOverview(p: GrowthPlan): Record<string, unknown> {
  const { tensors: _t, scales: _s, ...rest } = p;
  return rest;
}
