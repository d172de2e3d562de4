// The engine worker: runs long jobs (today: executing a growth plan) off the extension host's thread. Started by
// src/extension/engineClient.ts as a worker thread (bundle dist/engineWorker.js); talks in the messages below. A
// `cancel` aborts the job: the executor removes its temporary folder, so no destination is left behind.
import { parentPort } from 'node:worker_threads';
import { GraftError } from '../core/errors';
import { buildGrowthPlan, executeGrowthPlan, type GrowthProgress, type Recipe } from '../core/growth/index';
import { openCheckpoint } from '../core/safetensors/index';

export interface GrowJob {
  kind: 'grow';
  recipe: Recipe;
  /** The source checkpoint (file, index or folder) as the document opened it. */
  source: string;
  /** Destination folder; must not exist. */
  dest: string;
  options: { shardBytes?: number; threads?: number };
}

export type ToWorker = { type: 'run'; job: GrowJob } | { type: 'cancel' };

export interface WorkerResult {
  dest: string;
  files: string[];
  totalBytes: number;
  tensorCount: number;
  seconds: number;
}

export type FromWorker =
  | { type: 'progress'; progress: GrowthProgress }
  | { type: 'done'; result: WorkerResult }
  | { type: 'error'; error: { name: string; code: string; message: string; aborted: boolean } };

async function runGrow(job: GrowJob, signal: AbortSignal, post: (m: FromWorker) => void): Promise<WorkerResult> {
  const src = await openCheckpoint(job.source, { signal });
  const plan = buildGrowthPlan(src, job.recipe);
  let last = 0;
  const r = await executeGrowthPlan(plan, job.dest, {
    signal,
    shardBytes: job.options.shardBytes,
    noiseThreads: job.options.threads,
    onProgress: (progress) => {
      // A few updates a second are plenty for a notification.
      const now = Date.now();
      if (now - last < 100 && progress.done < progress.total) return;
      last = now;
      post({ type: 'progress', progress });
    },
  });
  return { dest: r.dest, files: r.files, totalBytes: r.totalBytes, tensorCount: r.tensorCount, seconds: r.seconds };
}

function describe(err: unknown, signal: AbortSignal): FromWorker & { type: 'error' } {
  const aborted = signal.aborted;
  if (err instanceof GraftError) return { type: 'error', error: { name: err.name, code: err.code, message: err.message, aborted } };
  const e = err instanceof Error ? err : new Error(String(err));
  return { type: 'error', error: { name: e.name, code: aborted ? 'aborted' : 'internal', message: e.message, aborted } };
}

if (parentPort) {
  const port = parentPort;
  const controller = new AbortController();
  let started = false;
  port.on('message', (m: ToWorker) => {
    if (m?.type === 'cancel') {
      controller.abort();
      return;
    }
    if (m?.type !== 'run' || started) return;
    started = true;
    const post = (x: FromWorker) => port.postMessage(x);
    runGrow(m.job, controller.signal, post)
      .then((result) => post({ type: 'done', result }))
      .catch((err) => post(describe(err, controller.signal)));
  });
}
