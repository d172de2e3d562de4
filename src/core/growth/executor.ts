// executeGrowthPlan: resolves noise scales (one streamed read of the tensors they name), then streams every output
// tensor through the atomic safetensors writer. Memory: a few chunk-sized buffers; cancellation leaves no destination.
import { readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { toYaml } from '../util/yaml';
import { throwIfAborted, type ProgressReport } from '../errors';
import { setNoiseThreads } from '../rng/index';
import { FilePool, writeCheckpoint, type WriteResult } from '../safetensors/index';
import { GRAFT_VERSION } from './provenance';
import { resolveNoiseScales } from './scales';
import { makeWriterContext, planTensorWriter } from './tensorWriters';
import type { GrowthPlan } from './types';

export interface GrowthProgress extends ProgressReport {
  phase: 'scales' | 'write';
  tensorsDone: number;
  tensorsTotal: number;
  /** Output bytes per second so far (write phase). */
  bytesPerSecond: number;
  /** Seconds left at the current rate, null before a rate is known. */
  etaSeconds: number | null;
}

export interface ExecuteOptions {
  signal?: AbortSignal;
  onProgress?: (p: GrowthProgress) => void;
  /** Bytes per read/convert chunk (default 16 MiB). The output bytes never depend on it. */
  chunkBytes?: number;
  /** Shard size (default 5 GB, as Hugging Face). */
  shardBytes?: number;
  overwrite?: boolean;
  /**
   * Threads that generate noise (default: the available cores, at most 8, or GRAFT_NOISE_THREADS). The output
   * bytes never depend on it (docs/noise.md).
   */
  noiseThreads?: number;
}

export interface ExecuteResult extends WriteResult {
  seconds: number;
  /** The plan as executed (noise scales resolved). */
  plan: GrowthPlan;
}

// Files beside the weights that describe the model but are not weights: copied as they are.
const SKIP = /^(\.|config\.json$|model\.safetensors\.index\.json$|graft-recipe\.yaml$)|\.(safetensors|bin|pt|pth|gguf|ckpt|h5|msgpack|onnx)$/;

async function extraFiles(plan: GrowthPlan): Promise<{ name: string; from: string }[]> {
  const root = plan.source.root;
  const dir = (await stat(root)).isDirectory() ? root : dirname(root);
  const out: { name: string; from: string }[] = [];
  for (const name of (await readdir(dir)).sort()) {
    if (SKIP.test(name)) continue;
    if ((await stat(join(dir, name))).isFile()) out.push({ name, from: join(dir, name) });
  }
  return out;
}

export function provenanceMetadata(plan: GrowthPlan): Record<string, string> {
  return {
    format: 'pt',
    graft_version: GRAFT_VERSION,
    graft_recipe_sha256: plan.recipeHash,
    graft_source_header_sha256: plan.source.headerSha256,
    graft_source_family: plan.source.family,
    graft_seed: String(plan.recipe.seed),
    ...(plan.sigmaMode ? { graft_sigma: plan.sigmaMode } : {}),
    graft_noise: 'philox4x32-10 acklam-icdf f64 (docs/noise.md)',
  };
}

export async function executeGrowthPlan(planIn: GrowthPlan, dest: string, opts: ExecuteOptions = {}): Promise<ExecuteResult> {
  const t0 = Date.now();
  const chunkBytes = opts.chunkBytes ?? 16 << 20;
  const pool = new FilePool();
  const tensorsTotal = planIn.tensors.length;
  const report = (p: Omit<GrowthProgress, 'tensorsTotal'>) => opts.onProgress?.({ ...p, tensorsTotal });
  try {
    throwIfAborted(opts.signal);
    const scaleIds = Object.keys(planIn.scales).length;
    const plan = scaleIds === 0 ? planIn : await resolveNoiseScales(planIn, {
      pool, chunkBytes, signal: opts.signal,
      onScale: (done, total) => report({ phase: 'scales', done, total, unit: 'steps', tensorsDone: 0, bytesPerSecond: 0, etaSeconds: null, message: 'noise scales' }),
    });
    const envThreads = Number(process.env.GRAFT_NOISE_THREADS);
    // One noise thread unless asked: helper threads compete with the writer's own I/O and encoding on small machines
    // (measured no faster on 2 cores), and a single thread cannot wait on a helper.
    setNoiseThreads(opts.noiseThreads ?? (envThreads > 0 ? envThreads : 1));
    const ctx = makeWriterContext(pool, chunkBytes);
    let tensorsDone = 0;
    const tw = Date.now();
    const tensors = plan.tensors.map((pt) => {
      const w = planTensorWriter(pt, ctx);
      return { ...w, write: async (sink: Parameters<typeof w.write>[0]) => { await w.write(sink); tensorsDone++; } };
    });
    const result = await writeCheckpoint(dest, {
      tensors,
      config: plan.config,
      extraFiles: [...await extraFiles(plan), { name: 'graft-recipe.yaml', content: `# graft recipe (sha256 of canonical JSON: ${plan.recipeHash})\n${toYaml(plan.recipe)}` }],
      metadata: provenanceMetadata(plan),
      shardBytes: opts.shardBytes,
      overwrite: opts.overwrite,
      signal: opts.signal,
      onProgress: (p) => {
        const secs = (Date.now() - tw) / 1000;
        const rate = secs > 0 ? p.done / secs : 0;
        report({ phase: 'write', done: p.done, total: p.total, unit: 'bytes', tensorsDone, bytesPerSecond: rate, etaSeconds: rate > 0 ? (p.total - p.done) / rate : null });
      },
    });
    return { ...result, seconds: (Date.now() - t0) / 1000, plan };
  } finally {
    await pool.close();
  }
}
