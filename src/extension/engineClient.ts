// The host's side of the engine worker (src/cli/engineWorker.ts, bundled as dist/engineWorker.js): runs a job in a
// worker thread so the extension host stays responsive, reports progress, and turns an abort into `cancel`, which
// lets the executor remove its temporary folder before the worker ends.
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type * as vscode from 'vscode';
import type { FromWorker, GrowJob, WorkerResult } from '../cli/engineWorker';
import type { GrowthProgress } from '../core/growth/index';
import { CancelledError, GraftError } from '../core/errors';

export class EngineJobError extends GraftError {
  override readonly name = 'EngineJobError';
}

export class EngineClient implements vscode.Disposable {
  private readonly running = new Set<Worker>();

  constructor(private readonly extensionPath: string) {}

  /** Runs `job`; resolves with its result, rejects with CancelledError after an abort (and the cleanup) completed. */
  run(job: GrowJob, opts: { signal?: AbortSignal; onProgress?: (p: GrowthProgress) => void } = {}): Promise<WorkerResult> {
    const worker = new Worker(join(this.extensionPath, 'dist', 'engineWorker.js'));
    this.running.add(worker);
    return new Promise<WorkerResult>((resolve, reject) => {
      let settled = false;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        opts.signal?.removeEventListener('abort', cancel);
        this.running.delete(worker);
        fn();
        void worker.terminate();
      };
      const cancel = () => worker.postMessage({ type: 'cancel' });
      worker.on('message', (m: FromWorker) => {
        if (m.type === 'progress') opts.onProgress?.(m.progress);
        else if (m.type === 'done') finish(() => resolve(m.result));
        else if (m.type === 'error') {
          finish(() => reject(m.error.aborted ? new CancelledError() : new EngineJobError(m.error.code, m.error.message, {})));
        }
      });
      worker.on('error', (err) => finish(() => reject(err)));
      worker.on('exit', (code) => finish(() => reject(new EngineJobError('engine.worker_exit', `the engine worker exited (code ${code}) before finishing`, {}))));
      if (opts.signal?.aborted) {
        finish(() => reject(new CancelledError()));
        return;
      }
      opts.signal?.addEventListener('abort', cancel, { once: true });
      worker.postMessage({ type: 'run', job });
    });
  }

  dispose(): void {
    // Still-running jobs are cancelled (their folders cleaned); the threads end with the host anyway.
    for (const w of this.running) w.postMessage({ type: 'cancel' });
  }
}
