// The training loop, in nanoGPT's fixed order: lr → eval and checkpoint → batch → step (forward, backward,
// clip, AdamW in one graph) → log → stop. Resume restores parameters, moments and the step; batches depend only
// on (seed, step), so a resumed run follows the uninterrupted trajectory. A NaN/Inf step is not applied: the
// loop saves the last good state and stops. An abort (Ctrl-C) saves and stops.
import { TrainError, type ProgressSink } from '../core/errors';
import { TrainStepRunner, type TrainState } from '../engine/model/runner';
import { activeParams } from '../engine/model/params';
import type { TrainConfig } from './config';
import { checkVocab, loadTokens, trainBatch } from './data';
import { evaluate } from './evaluate';
import { loadModel } from './model';
import { appendMetrics, ensureDir, latestCheckpoint, loadCheckpointState, readRunJson, saveCheckpoint, writeRunJson } from './runDir';
import { lrAt, validateSchedule, type Schedule } from './schedules';

export interface TrainHooks {
  signal?: AbortSignal;
  /** One human line per step (the CLI prints it on stderr). */
  log?: (line: string) => void;
  progress?: ProgressSink;
}

export interface TrainOutcome {
  status: 'done' | 'cancelled' | 'diverged';
  step: number;
  lastCheckpoint: string | null;
  loss: number | null;
  tokensPerSecond: number;
}

export async function train(cfg: TrainConfig, hooks: TrainHooks = {}, resume = false): Promise<TrainOutcome> {
  const schedule: Schedule = { kind: cfg.schedule, lr: cfg.lr, totalSteps: cfg.steps, warmup: cfg.warmup, minLrRatio: cfg.minLrRatio, decayFrac: cfg.decayFrac };
  validateSchedule(schedule);
  ensureDir(cfg.out);
  const model = await loadModel(cfg.checkpoint, hooks.signal);
  const data = loadTokens(cfg.data, cfg.valFraction, { checkpoint: cfg.checkpoint });
  hooks.log?.(`data ${data.source}: ${data.train.length + data.val.length} tokens, ${data.tokenizerSummary}`);
  checkVocab(data, model.cfg.vocab);
  const nActive = activeParams(model.cfg);
  const tokensPerStep = cfg.batch * cfg.seq;

  let state: TrainState = { params: model.params, m: model.params.map((p) => new Float32Array(p.length)), v: model.params.map((p) => new Float32Array(p.length)) };
  let step = 0;
  let lastCheckpoint: string | null = null;
  let sunk = { tokens: 0, flops: 0 };
  if (resume) {
    readRunJson(cfg.out);
    lastCheckpoint = latestCheckpoint(cfg.out);
    if (!lastCheckpoint) throw new TrainError('train/resume', 'the run has no checkpoint to resume from', { file: cfg.out, rule: 'a ckpt-* folder with state.json' });
    const loaded = loadCheckpointState(lastCheckpoint, model);
    state = loaded.state;
    step = loaded.info.step;
    sunk = { tokens: loaded.info.tokens, flops: loaded.info.flops };
  }
  const runJson = (status: string) => writeRunJson(cfg.out, {
    source: cfg.checkpoint, family: model.family.id, config: cfg, status, step,
    activeParams: nActive, activeParamsCountEmbeddings: true,
    tokens: sunk.tokens, flops: sunk.flops, flopsFormula: '6 * N_active * tokens',
    lastCheckpoint,
  });
  runJson('running');

  const runner = await TrainStepRunner.create(model.cfg, { batch: cfg.batch, seq: cfg.seq, dispatch: cfg.dispatch }, cfg.adamw, { provider: cfg.provider, threads: cfg.threads || undefined });
  runner.setState(state);
  const save = async (loss: number | null, lr: number) => {
    lastCheckpoint = await saveCheckpoint(cfg.out, model, runner.getState(), { step, tokens: sunk.tokens, flops: sunk.flops, lr, loss });
    return lastCheckpoint;
  };
  let lastLoss: number | null = null;
  let status: TrainOutcome['status'] = 'done';
  const t0 = performance.now();
  const startStep = step;
  try {
    while (step < cfg.steps) {
      const lr = lrAt(schedule, step);
      if (cfg.evalEvery > 0 && step > startStep && step % cfg.evalEvery === 0) {
        const ev = await evaluate(model, runner.getState().params, data.val, { batch: cfg.batch, seq: cfg.seq, batches: cfg.evalBatches, provider: cfg.provider, dispatch: cfg.dispatch, signal: hooks.signal });
        appendMetrics(cfg.out, { step, val_loss: ev.loss, val_ppl: ev.perplexity });
      }
      if (cfg.saveEvery > 0 && step > startStep && step % cfg.saveEvery === 0) await save(lastLoss, lr);
      if (hooks.signal?.aborted) {
        status = 'cancelled';
        break;
      }
      const batch = trainBatch(data.train, cfg.batch, cfg.seq, cfg.seed, step);
      const ts = performance.now();
      const r = await runner.step(batch, lr, step + 1);
      const dt = (performance.now() - ts) / 1000;
      if (!r.finite) {
        appendMetrics(cfg.out, { step: step + 1, loss: r.loss, grad_norm: r.gradNorm, lr, nonfinite: true });
        status = 'diverged';
        break;
      }
      step++;
      sunk = { tokens: sunk.tokens + tokensPerStep, flops: sunk.flops + 6 * nActive * tokensPerStep };
      lastLoss = r.loss;
      const tps = tokensPerStep / dt;
      appendMetrics(cfg.out, { step, loss: r.loss, ce: r.ce, aux: r.aux, z: r.z, grad_norm: r.gradNorm, lr, tokens: sunk.tokens, flops: sunk.flops, seconds: dt, tokens_per_s: tps });
      const done = step - startStep;
      const avg = (performance.now() - t0) / 1000 / done;
      hooks.log?.(`step ${step}/${cfg.steps}  loss ${r.loss.toFixed(4)}  lr ${lr.toExponential(2)}  ${Math.round(tps)} tok/s  ETA ${Math.round(avg * (cfg.steps - step))}s`);
      hooks.progress?.({ done: step, total: cfg.steps, unit: 'steps', message: `loss ${r.loss.toFixed(4)}` });
    }
    await save(lastLoss, lrAt(schedule, Math.max(0, step - 1)));
  } finally {
    await runner.dispose();
    runJson(status);
  }
  const elapsed = (performance.now() - t0) / 1000;
  const outcome: TrainOutcome = { status, step, lastCheckpoint, loss: lastLoss, tokensPerSecond: ((step - startStep) * tokensPerStep) / Math.max(elapsed, 1e-9) };
  if (status === 'diverged') {
    throw new TrainError('train/nonfinite', `loss or gradient norm became NaN/Inf at step ${step + 1}; the update was discarded and the last good state saved in ${lastCheckpoint}`, { file: cfg.out, rule: 'finite loss' });
  }
  return outcome;
}
