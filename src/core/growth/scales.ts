// Resolving σ: the std (and mean) of the source element ranges each noise scale names, streamed in chunks and
// combined with Chan's parallel formula in float64, so no tensor is ever held whole.
import { throwIfAborted } from '../errors';
import { decodeToFloat32, DTYPES, readRange, type FilePool, type TensorRef } from '../safetensors/index';
import type { GrowthPlan, ScaleSpec } from './types';

interface Moments { n: number; mean: number; m2: number }

function merge(a: Moments, n: number, mean: number, m2: number): Moments {
  if (n === 0) return a;
  if (a.n === 0) return { n, mean, m2 };
  const total = a.n + n;
  const d = mean - a.mean;
  return { n: total, mean: a.mean + (d * n) / total, m2: a.m2 + m2 + (d * d * a.n * n) / total };
}

/** Source refs by name, from a plan's tensors. */
export function sourceRefs(plan: GrowthPlan): Map<string, TensorRef> {
  const m = new Map<string, TensorRef>();
  for (const t of plan.tensors) if (t.source) m.set(t.source.name, t.source);
  return m;
}

export async function computeScale(spec: ScaleSpec, refs: Map<string, TensorRef>, pool: FilePool, f32: Float32Array, u8: Uint8Array, signal?: AbortSignal): Promise<{ std: number; mean: number }> {
  let acc: Moments = { n: 0, mean: 0, m2: 0 };
  for (const r of spec.regions) {
    const ref = refs.get(r.tensor);
    if (!ref) throw new Error(`scale region names ${r.tensor}, which is no source of the plan`);
    const size = DTYPES[ref.dtype].bits / 8;
    const per = Math.min(f32.length, Math.floor(u8.length / size));
    for (let done = 0; done < r.count; ) {
      throwIfAborted(signal);
      const k = Math.min(per, r.count - done);
      const bytes = await readRange(pool, ref.file, ref.offset + (r.start + done) * size, k * size, u8);
      decodeToFloat32(ref.dtype, bytes, f32, k);
      let s = 0;
      for (let i = 0; i < k; i++) s += f32[i];
      const mean = s / k;
      let m2 = 0;
      for (let i = 0; i < k; i++) {
        const d = f32[i] - mean;
        m2 += d * d;
      }
      acc = merge(acc, k, mean, m2);
      done += k;
    }
  }
  const denom = acc.n - spec.ddof;
  return { std: denom > 0 ? Math.sqrt(acc.m2 / denom) : 0, mean: acc.mean };
}

/**
 * Fills every scale's std/mean and every noise spec's sigma (returns a new plan; the input is unchanged).
 * Reads each scale's source ranges once.
 */
export async function resolveNoiseScales(plan: GrowthPlan, opts: { pool: FilePool; chunkBytes?: number; signal?: AbortSignal; onScale?: (done: number, total: number) => void }): Promise<GrowthPlan> {
  const out: GrowthPlan = JSON.parse(JSON.stringify(plan));
  const refs = sourceRefs(out);
  const chunk = opts.chunkBytes ?? 16 << 20;
  const u8 = new Uint8Array(chunk);
  const f32 = new Float32Array(Math.ceil(chunk / 2));
  const ids = Object.keys(out.scales).filter((id) => out.scales[id].std === null);
  let done = 0;
  for (const id of ids) {
    const s = out.scales[id];
    const r = await computeScale(s, refs, opts.pool, f32, u8, opts.signal);
    s.std = r.std;
    s.mean = r.mean;
    opts.onScale?.(++done, ids.length);
  }
  for (const t of out.tensors) {
    const tr = t.transform;
    if (tr.op === 'noise') tr.noise.sigma = out.scales[tr.noise.scale].std;
    else if (tr.op === 'slice') {
      for (const p of tr.pieces) if (p.noise) p.noise.sigma = out.scales[p.noise.scale].std;
    } else if (tr.op === 'drop') {
      tr.mean = out.scales[tr.scale].mean;
      tr.std = out.scales[tr.scale].std;
      if (tr.noise) tr.noise.sigma = out.scales[tr.noise.scale].std;
    }
  }
  return out;
}
