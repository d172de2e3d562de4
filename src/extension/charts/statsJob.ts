// Runs one norm-profile job in dist/statsWorker.js (a worker thread): statistics never run on the extension host's
// thread. Cancelling asks the worker to stop, and terminates it when it has not within a grace period.
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type * as vscode from 'vscode';
import type { StatsJobError, StatsJobRequest, StatsJobResult, StatsWorkerCommand, StatsWorkerMessage } from '../../cli/statsWorker';
import { CancelledError, GraftError, type ProgressReport } from '../../core/errors';

export type { StatsJobRequest, StatsJobResult };

const CANCEL_GRACE_MS = 2000;

/** A job's failure, rebuilt on the host side with the worker's error fields. */
export class StatsJobFailure extends GraftError {
  override readonly name: string;
  constructor(readonly error: StatsJobError) {
    super(error.code, error.message, { file: error.file, tensor: error.tensor, rule: error.rule });
    this.name = error.name;
    if (error.stack) this.stack = error.stack;
  }
}

export function runStatsJob(
  extensionUri: vscode.Uri,
  request: StatsJobRequest,
  opts: { signal?: AbortSignal; onProgress?: (p: ProgressReport) => void } = {},
): Promise<StatsJobResult> {
  return new Promise<StatsJobResult>((resolve, reject) => {
    if (opts.signal?.aborted) return reject(new CancelledError());
    const worker = new Worker(join(extensionUri.fsPath, 'dist', 'statsWorker.js'), { workerData: request });
    let settled = false;
    let killTimer: ReturnType<typeof setTimeout> | undefined;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      opts.signal?.removeEventListener('abort', onAbort);
      clearTimeout(killTimer);
      outcome();
    };
    const onAbort = () => {
      finish(() => reject(new CancelledError()));
      worker.postMessage({ type: 'cancel' } satisfies StatsWorkerCommand);
      killTimer = setTimeout(() => void worker.terminate(), CANCEL_GRACE_MS);
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (m: StatsWorkerMessage) => {
      if (m.type === 'progress') opts.onProgress?.(m.report);
      else if (m.type === 'result') finish(() => resolve(m.result));
      else if (m.type === 'error') finish(() => reject(m.error.code === 'cancelled' ? new CancelledError() : new StatsJobFailure(m.error)));
    });
    worker.on('error', (err) => finish(() => reject(err)));
    worker.on('exit', (code) => {
      clearTimeout(killTimer);
      finish(() => reject(new GraftError('stats.worker_exit', `the statistics worker stopped (exit code ${code}) before answering`)));
    });
  });
}
