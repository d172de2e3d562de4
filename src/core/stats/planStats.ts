// The pure half of a growth plan's norm-profile preview: which output tensors take their statistics from the source
// (copies, renamed), which are known exactly without any bytes (zeroed tensors), and which must be generated and
// reduced by the engine (noise, slices, init, drop; copies whose per-expert slices the source statistics lack).
// The engine (src/engine/stats/planProfile.ts) streams the last group and builds the after-profile from the result.
import { detectFamily, readNumLayers, type FamilyTable } from '../families/index';
import { DTYPES } from '../safetensors/dtypes';
import type { PlanTensor } from '../growth/types';
import { finalizeStats } from './finalize';
import { profileSlices } from './profile';
import type { TensorStatistics, TensorStatsEntry } from './types';

/** How an output tensor's statistics are obtained in a preview. */
export type PlanStatsOrigin = 'source' | 'zero' | 'stream' | 'skipped';

/**
 * The number of per-slice statistics the profile asks of a tensor, as the statistics engine computes it:
 * `profileSlices`, kept only when it divides the element count (else the whole tensor only).
 */
export function statsSliceCount(family: FamilyTable, t: { name: string; shape: number[] }, numLayers?: number): number {
  const s = Math.max(1, Math.floor(profileSlices(family, t, numLayers)));
  const numel = t.shape.reduce((a, b) => a * b, 1);
  return s > 1 && numel % s === 0 ? s : 1;
}

/** The family and layer count a grown model will be detected as (same detection as opening the written checkpoint). */
export function planOutputFamily(config: Record<string, unknown>, tensors: readonly Pick<PlanTensor, 'name' | 'shape'>[]): { family: FamilyTable; numLayers?: number; note?: string } {
  const det = detectFamily(config, new Map(tensors.map((t) => [t.name, { shape: t.shape }])));
  let numLayers: number | undefined;
  try {
    numLayers = readNumLayers(det.family, config);
  } catch {
    numLayers = undefined;
  }
  return { family: det.family, numLayers, ...(det.note ? { note: det.note } : {}) };
}

/** Exact statistics of `numel` zeros (what the statistics engine computes for an all-zero tensor). */
export function zeroStats(numel: number): TensorStatistics {
  if (numel === 0) return finalizeStats({ count: 0, mean: 0, m2: 0, min: Infinity, max: -Infinity, nanCount: 0, infCount: 0 }, 0);
  return finalizeStats({ count: numel, mean: 0, m2: 0, min: 0, max: 0, nanCount: 0, infCount: 0 }, numel);
}

export interface PlanStatsAssignment {
  /** Output tensors whose statistics are already known (source copies renamed; zeros), by output name. */
  known: Map<string, TensorStatsEntry>;
  /** Output tensors to generate and reduce, each with the slice count the profile needs. */
  stream: { tensor: PlanTensor; slices: number }[];
  /** Output tensors without float32 statistics (their dtype has no conversion, or their source was skipped). */
  skipped: { name: string; dtype: string; reason: string }[];
  origin: Map<string, PlanStatsOrigin>;
}

/**
 * Assigns each output tensor of a plan its statistics source. `sourceStats` are the source checkpoint's entries
 * (with per-expert slices as computed for the source's family); `out` is the grown model's family and layer count.
 */
export function assignPlanStats(
  tensors: readonly PlanTensor[], sourceStats: readonly TensorStatsEntry[], out: { family: FamilyTable; numLayers?: number },
): PlanStatsAssignment {
  const bySource = new Map(sourceStats.map((e) => [e.name, e]));
  const known = new Map<string, TensorStatsEntry>();
  const stream: { tensor: PlanTensor; slices: number }[] = [];
  const skipped: PlanStatsAssignment['skipped'] = [];
  const origin = new Map<string, PlanStatsOrigin>();
  for (const t of tensors) {
    if (!DTYPES[t.dtype]?.float32) {
      skipped.push({ name: t.name, dtype: t.dtype, reason: `${t.dtype} has no float32 conversion` });
      origin.set(t.name, 'skipped');
      continue;
    }
    const slices = statsSliceCount(out.family, t, out.numLayers);
    const numel = t.shape.reduce((a, b) => a * b, 1);
    const file = t.source?.file ?? '';
    if (t.transform.op === 'zero') {
      const entry: TensorStatsEntry = { name: t.name, dtype: t.dtype, shape: [...t.shape], file, stats: zeroStats(numel) };
      if (slices > 1) entry.slices = Array.from({ length: slices }, () => zeroStats(numel / slices));
      known.set(t.name, entry);
      origin.set(t.name, 'zero');
      continue;
    }
    if (t.transform.op === 'copy' && t.source) {
      const s = bySource.get(t.source.name);
      const fits = s && s.dtype === t.dtype && s.shape.join(',') === t.shape.join(',') && (slices === 1 || s.slices?.length === slices);
      if (s && fits) {
        const entry: TensorStatsEntry = { name: t.name, dtype: t.dtype, shape: [...t.shape], file: s.file, stats: { ...s.stats } };
        if (slices > 1) entry.slices = s.slices!.map((x) => ({ ...x }));
        known.set(t.name, entry);
        origin.set(t.name, 'source');
        continue;
      }
      // A copy whose source statistics lack the slices the output's layout needs: read it again, sliced.
    }
    stream.push({ tensor: t, slices });
    origin.set(t.name, 'stream');
  }
  return { known, stream, skipped, origin };
}
