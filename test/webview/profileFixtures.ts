// Profiles for the chart tests. The source is measured from the demo checkpoint (demo/tiny-mixtral) through the
// stats engine when that works here; otherwise it is a deterministic Figure-2-shaped formula. The grown profiles
// apply the real depth layer maps (src/core/growth/layerMaps): depth growth copies layers, so a grown checkpoint's
// profile is exactly the source's rearranged by the map.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { interpositionMap, stackMap } from '../../src/core/growth/layerMaps';
import type { NormProfile, ProfileKind, ProfileLayer } from '../../src/core/stats/types';

export interface SourceProfile { profile: NormProfile; origin: string }

export async function sourceProfile(): Promise<SourceProfile> {
  const demo = resolve(__dirname, '../../demo/tiny-mixtral');
  try {
    process.env.XDG_CACHE_HOME ??= mkdtempSync(join(tmpdir(), 'graft-chart-cache-'));
    const { computeNormProfile } = await import('../../src/engine/stats/normProfile');
    const { profile } = await computeNormProfile(demo, { provider: 'cpu', cache: false });
    if (profile.layers.length >= 3 && profile.layers.every((l) => l.values.experts !== null && l.perExpert?.length)) {
      return { profile, origin: `measured from ${demo} (provider ${profile.provider})` };
    }
    return { profile: formulaProfile(), origin: `formula (the demo profile lacked expert values)` };
  } catch (err) {
    return { profile: formulaProfile(), origin: `formula (stats engine failed: ${(err as Error).message})` };
  }
}

/** 6 layers × 8 experts: small and noisy first layer, rising through depth, a dip at the last layer (METHOD §4). */
export function formulaProfile(): NormProfile {
  const n = 6, experts = 8;
  const layers: ProfileLayer[] = [];
  for (let i = 0; i < n; i++) {
    const base = i === 0 ? 0.011 : i === n - 1 ? 0.03 + 0.004 * (n - 2) : 0.02 + 0.006 * i;
    const perExpert = Array.from({ length: experts }, (_, e) => base * (1 + 0.08 * Math.sin(1.7 * e + i)));
    const mean = perExpert.reduce((a, b) => a + b, 0) / experts;
    layers.push({
      layer: i,
      values: { experts: mean, attention: 0.02 + 0.0003 * i, router: 0.019 + 0.0004 * Math.cos(i), norms: 1, shared: null },
      counts: { experts: 3 * experts, attention: 4, router: 1, norms: 2, shared: 0 },
      perExpert,
    });
  }
  return { source: 'formula://figure2', family: 'mixtral', layers, provider: 'formula', notes: [] };
}

/** The grown model's profile: output layer j carries source layer map[j]'s statistics. */
export function grownProfile(src: NormProfile, map: number[], label: string): NormProfile {
  return {
    ...src,
    source: `${src.source} → ${label}`,
    layers: map.map((s, j) => ({ ...src.layers[s], layer: j })),
  };
}

export function interposition(src: NormProfile, k: number): { after: NormProfile; layerMap: number[] } {
  const layerMap = interpositionMap(src.layers.length, k);
  return { after: grownProfile(src, layerMap, `interposition ×${k}`), layerMap };
}

export function stack(src: NormProfile, k: number): { after: NormProfile; layerMap: number[] } {
  const layerMap = stackMap(src.layers.length, k);
  return { after: grownProfile(src, layerMap, `stack ×${k}`), layerMap };
}

/** The CSV the app must export for the profile view, built independently of the app's code. */
export function expectedProfileCsv(before: NormProfile, after: NormProfile | undefined, kind: ProfileKind): string {
  const n = Math.max(before.layers.length, after?.layers.length ?? 0);
  const v = (p: NormProfile | undefined, i: number) => {
    const x = p?.layers[i]?.values[kind];
    return x === null || x === undefined ? '' : String(x);
  };
  const lines = ['layer,kind,before,after'];
  for (let i = 0; i < n; i++) lines.push(`${i},${kind},${v(before, i)},${v(after, i)}`);
  return lines.join('\n') + '\n';
}
