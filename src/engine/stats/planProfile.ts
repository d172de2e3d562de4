// A growth plan's norm profile before anything is written: the source's statistics (computeCheckpointStats, cached)
// give the before-profile and every copied output tensor (renamed); zeroed tensors get exact zero statistics; every
// other output tensor (noised copies, sliced routers and fused experts, new routers, Drop-Upcycling) is generated
// by the executor's own writer (same Philox streams, same rounding to the dtype) into a reducing sink
// (streamStats.ts) that reduces it exactly as the written file would be reduced. Nothing is written to disk.
// The after-profile is built by buildNormProfile over the output's config and family, so fused layouts and
// per-expert slices behave as they would on the grown checkpoint.
import { EngineError, throwIfAborted } from '../../core/errors';
import { resolveNoiseScales, type GrowthPlan } from '../../core/growth/index';
import { makeWriterContext, planTensorWriter } from '../../core/growth/tensorWriters';
import { FilePool, openCheckpoint, type CheckpointSource } from '../../core/safetensors/index';
import { assignPlanStats, planOutputFamily, type PlanStatsOrigin } from '../../core/stats/planStats';
import { buildNormProfile } from '../../core/stats/profile';
import type { NormProfile, TensorStatsEntry } from '../../core/stats/types';
import type { SkippedTensor, StatsRunOptions } from './checkpointStats';
import { DEFAULT_CHUNK_ELEMENTS } from './checkpointStats';
import { ChunkReducer } from './chunkReducer';
import { computeNormProfile, type NormProfileResult } from './normProfile';
import { MAX_CHUNK_ELEMENTS } from './statsGraph';
import { StreamStatsReducer } from './streamStats';

export interface PlanProfileOptions extends Omit<StatsRunOptions, 'slicesFor'> {
  /** The plan's source, already open (default: open `plan.source.root`; its tensor table must match the plan). */
  source?: CheckpointSource;
  /** Bytes per generated chunk handed from the writer to the reducer (default 4 MiB). Results never depend on it. */
  writerChunkBytes?: number;
  /** The after-profile's `source` label (default: "<source root> + recipe <name or hash>"). */
  label?: string;
}

export interface PlanProfileResult {
  before: NormProfile;
  after: NormProfile;
  /** The source checkpoint's per-tensor statistics. */
  beforeTensors: TensorStatsEntry[];
  /** The grown model's per-tensor statistics, in plan order (what the written checkpoint would give). */
  afterTensors: TensorStatsEntry[];
  /** Output tensor → where its statistics came from. */
  origin: Record<string, PlanStatsOrigin>;
  counts: { fromSource: number; zero: number; streamed: number; skipped: number };
  skipped: { before: SkippedTensor[]; after: SkippedTensor[] };
  /** The plan with noise scales resolved (as the executor would write it). */
  plan: GrowthPlan;
  run: NormProfileResult['run'] & { streamedBytes: number; streamSeconds: number };
}

function refsMatch(plan: GrowthPlan, src: CheckpointSource): string | undefined {
  for (const t of plan.tensors) {
    if (!t.source) continue;
    const r = src.tensors.get(t.source.name);
    if (!r) return `source tensor ${t.source.name} is missing`;
    if (r.dtype !== t.source.dtype || r.offset !== t.source.offset || r.byteLength !== t.source.byteLength || r.shape.join(',') !== t.source.shape.join(',')) {
      return `source tensor ${t.source.name} differs from the one the plan was built on`;
    }
  }
  return undefined;
}

export async function computePlanProfile(planIn: GrowthPlan, opts: PlanProfileOptions = {}): Promise<PlanProfileResult> {
  const src = opts.source ?? await openCheckpoint(planIn.source.root, { signal: opts.signal });
  const mismatch = refsMatch(planIn, src);
  if (mismatch) throw new EngineError('plan-profile', `the plan does not fit this checkpoint: ${mismatch}; rebuild the plan`, { file: src.root, rule: 'plan built on this source' });

  // Before: the source's profile (statistics cached per file).
  const before = await computeNormProfile(src, { ...opts, slicesFor: undefined });

  // After: known statistics, then the rest generated and reduced.
  const out = planOutputFamily(planIn.config, planIn.tensors);
  const assigned = assignPlanStats(planIn.tensors, before.tensors, out);
  const entries = new Map(assigned.known);
  const pool = new FilePool();
  let plan = planIn;
  let streamedBytes = 0;
  let provider = before.run.provider;
  let fallbackReason = before.run.fallbackReason;
  const t0 = performance.now();
  try {
    if (assigned.stream.length) {
      const needsScales = Object.values(plan.scales).some((s) => s.std === null);
      // The executor's default chunking, so σ is the same float64 value it would use.
      if (needsScales) plan = await resolveNoiseScales(plan, { pool, signal: opts.signal });
      const byName = new Map(plan.tensors.map((t) => [t.name, t]));
      const chunkElements = Math.max(1, Math.min(opts.chunkElements ?? DEFAULT_CHUNK_ELEMENTS, MAX_CHUNK_ELEMENTS));
      const reducer = await ChunkReducer.create({ provider: opts.provider, threads: opts.threads });
      provider = reducer.provider;
      fallbackReason = reducer.fallbackReason;
      try {
        const stream = new StreamStatsReducer(reducer, chunkElements);
        const ctx = makeWriterContext(pool, opts.writerChunkBytes ?? 4 << 20);
        const total = assigned.stream.reduce((s, x) => s + x.tensor.byteLength, 0);
        for (const { tensor, slices } of assigned.stream) {
          throwIfAborted(opts.signal);
          const t = byName.get(tensor.name)!;
          const w = planTensorWriter(t, ctx);
          const e = await stream.reduce({ ...w, file: t.source?.file ?? '', slices }, opts.signal, (n) => {
            streamedBytes += n;
            opts.onProgress?.({ done: streamedBytes, total, unit: 'bytes', message: 'grown tensors' });
          });
          entries.set(t.name, e);
        }
      } finally {
        await reducer.dispose();
      }
    }
  } finally {
    await pool.close();
  }
  const afterTensors = plan.tensors.filter((t) => entries.has(t.name)).map((t) => entries.get(t.name)!);
  const label = opts.label ?? `${src.root} + recipe ${plan.recipe.name ?? plan.recipeHash.slice(0, 12)}`;
  const notes = [
    `preview of a growth plan (nothing written): ${assigned.known.size} tensor(s) from source statistics, ${assigned.stream.length} generated and reduced`,
    ...(out.note ? [out.note] : []),
    ...assigned.skipped.map((s) => `skipped ${s.name}: ${s.reason}`),
  ];
  const after = buildNormProfile({
    source: label, family: out.family, numLayers: out.numLayers, tensors: afterTensors,
    provider, ...(fallbackReason ? { fallbackReason } : {}), notes,
  });
  const origin = Object.fromEntries(assigned.origin);
  const count = (o: PlanStatsOrigin) => [...assigned.origin.values()].filter((x) => x === o).length;
  return {
    before: before.profile, after, beforeTensors: before.tensors, afterTensors, origin,
    counts: { fromSource: count('source'), zero: count('zero'), streamed: count('stream'), skipped: count('skipped') },
    skipped: { before: before.skipped, after: assigned.skipped },
    plan,
    run: { ...before.run, streamedBytes, streamSeconds: (performance.now() - t0) / 1000 },
  };
}
