// The norm-profile worker (dist/statsWorker.js, a worker_threads entry): computes a checkpoint's norm profile and,
// given growth ops, the grown model's profile without writing it, off the extension host's thread. One job per
// worker: the request arrives as workerData; progress, then one result or one error, go back as messages; a
// 'cancel' message aborts the job (the host terminates the worker if it does not stop in time).
import { parentPort, workerData } from 'node:worker_threads';
import { CancelledError, GraftError, type ProgressReport } from '../core/errors';
import { buildGrowthPlan, validateRecipe, type GrowthOp } from '../core/growth/index';
import { openCheckpoint } from '../core/safetensors/index';
import type { NormProfile } from '../core/stats/types';
import { isProviderChoice, type ProviderChoice } from '../engine/providers';
import { computeNormProfile } from '../engine/stats/normProfile';
import { computePlanProfile } from '../engine/stats/planProfile';
import { StatsCache } from '../engine/stats/statsCache';

export interface StatsJobRequest {
  /** A .safetensors file, an index, or a checkpoint folder. */
  path: string;
  /** Growth ops in effect (the document's applied edits): with any, `after` is the grown model's profile. */
  ops?: GrowthOp[];
  seed?: number;
  /** The after-profile's label. */
  label?: string;
  provider: ProviderChoice;
  threads?: number;
  /** Statistics cache folder (default: the engine's, under $XDG_CACHE_HOME). */
  cacheDir?: string;
}

export interface StatsJobResult {
  before: NormProfile;
  after?: NormProfile;
  layerMap?: number[];
  /** What ran: the provider, and how much came from the cache. */
  run: { provider: string; fallbackReason?: string; filesFromCache: number; filesComputed: number; seconds: number };
}

export interface StatsJobError {
  name: string;
  code: string;
  message: string;
  file?: string;
  tensor?: string;
  rule?: string;
  stack?: string;
}

export type StatsWorkerMessage =
  | { type: 'progress'; report: ProgressReport }
  | { type: 'result'; result: StatsJobResult }
  | { type: 'error'; error: StatsJobError };

export type StatsWorkerCommand = { type: 'cancel' };

function toJobError(err: unknown): StatsJobError {
  if (err instanceof GraftError) {
    const { file, tensor, rule } = err.details;
    return { name: err.name, code: err.code, message: err.message, file, tensor, rule, stack: err.stack };
  }
  const e = err instanceof Error ? err : new Error(String(err));
  return { name: e.name, code: 'internal', message: e.message, stack: e.stack };
}

export async function runStatsJob(req: StatsJobRequest, signal: AbortSignal, onProgress: (p: ProgressReport) => void): Promise<StatsJobResult> {
  if (!isProviderChoice(req.provider)) throw new GraftError('stats.provider', `unknown provider ${JSON.stringify(req.provider)}`);
  const cache = new StatsCache(req.cacheDir);
  const common = { provider: req.provider, threads: req.threads, cache, signal, onProgress };
  if (!req.ops?.length) {
    const r = await computeNormProfile(req.path, common);
    return { before: r.profile, run: pickRun(r.run) };
  }
  const recipe = validateRecipe({ schema: 'graft/recipe@1', seed: req.seed ?? 0, ops: req.ops });
  const source = await openCheckpoint(req.path, { signal });
  const plan = buildGrowthPlan(source, recipe);
  const r = await computePlanProfile(plan, { ...common, source, ...(req.label ? { label: req.label } : {}) });
  return { before: r.before, after: r.after, layerMap: r.plan.layerMap, run: pickRun(r.run) };
}

function pickRun(run: StatsJobResult['run']): StatsJobResult['run'] {
  const { provider, fallbackReason, filesFromCache, filesComputed, seconds } = run;
  return { provider, ...(fallbackReason ? { fallbackReason } : {}), filesFromCache, filesComputed, seconds };
}

if (parentPort) {
  const port = parentPort;
  const abort = new AbortController();
  port.on('message', (m: StatsWorkerCommand) => {
    if (m?.type === 'cancel') abort.abort(new CancelledError());
  });
  const post = (m: StatsWorkerMessage) => port.postMessage(m);
  let last = 0;
  runStatsJob(workerData as StatsJobRequest, abort.signal, (report) => {
    // At most ~10 messages a second: the host only redraws a progress bar.
    const now = Date.now();
    if (now - last < 100 && report.done < report.total) return;
    last = now;
    post({ type: 'progress', report });
  }).then(
    (result) => post({ type: 'result', result }),
    (err: unknown) => post({ type: 'error', error: toJobError(abort.signal.aborted ? new CancelledError() : err) }),
  ).finally(() => port.close());
}
