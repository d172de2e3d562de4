// Evaluation: mean next-token cross-entropy and perplexity over deterministic consecutive windows.
import type { ProviderChoice } from '../engine/providers';
import { EvalRunner } from '../engine/model/runner';
import type { Dispatch } from '../engine/model/moe';
import { throwIfAborted } from '../core/errors';
import { evalBatches } from './data';
import type { LoadedModel } from './model';

export interface EvalResult {
  loss: number;
  perplexity: number;
  aux: number;
  batches: number;
  tokens: number;
}

export async function evaluate(model: Pick<LoadedModel, 'cfg'>, params: ArrayLike<number>[], tokens: Uint32Array, o: { batch: number; seq: number; batches: number; provider?: ProviderChoice; threads?: number; dispatch?: Dispatch; signal?: AbortSignal }): Promise<EvalResult> {
  const runner = await EvalRunner.create(model.cfg, { batch: o.batch, seq: o.seq, dispatch: o.dispatch ?? 'sparse' }, { provider: o.provider, threads: o.threads });
  try {
    const bound = runner.bind(params);
    let sum = 0;
    let aux = 0;
    let n = 0;
    for (const b of evalBatches(tokens, o.batch, o.seq, o.batches)) {
      throwIfAborted(o.signal);
      const r = await runner.run(bound, b);
      sum += r.ce;
      aux += r.aux;
      n++;
    }
    const loss = sum / n;
    return { loss, perplexity: Math.exp(loss), aux: aux / n, batches: n, tokens: n * o.batch * o.seq };
  } finally {
    await runner.dispose();
  }
}
