// The training loop end to end on a tiny Mixtral in real ORT sessions: resume reproduces the trajectory, the
// NaN guard keeps the last good state, an abort saves and stops, run.json records sunk compute.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTinyMoe } from '../../src/core/model/index';
import { TRAIN_DEFAULTS, type TrainConfig } from '../../src/train/config';
import { train } from '../../src/train/loop';
import { loadCheckpointState } from '../../src/train/runDir';
import { loadModel } from '../../src/train/model';
import { TrainError } from '../../src/core/errors';

const root = mkdtempSync(join(tmpdir(), 'graft-loop-'));
const DATA = join(__dirname, '..', '..', 'data', 'corpus');
let ckpt: string;

async function tiny(): Promise<string> {
  ckpt ??= (await makeTinyMoe(join(root, 'tiny'), { family: 'mixtral', layers: 2, experts: 4, topK: 2, hidden: 32, intermediate: 32, heads: 4, kvHeads: 2 })).dest;
  return ckpt;
}

function cfg(out: string, over: Partial<TrainConfig> = {}): TrainConfig {
  return { ...TRAIN_DEFAULTS, checkpoint: ckpt, data: DATA, out: join(root, out), steps: 4, lr: 3e-3, warmup: 1, batch: 2, seq: 32, threads: 1, ...over };
}

test('2 steps + resume to 4 steps gives exactly the 4-step run', async () => {
  await tiny();
  const full = await train(cfg('full'));
  assert.equal(full.status, 'done');
  await train(cfg('split', { steps: 2 }));
  const resumed = await train(cfg('split', { steps: 4 }), {}, true);
  assert.equal(resumed.step, 4);
  const model = await loadModel(ckpt);
  const a = loadCheckpointState(full.lastCheckpoint!, model).state;
  const b = loadCheckpointState(resumed.lastCheckpoint!, model).state;
  for (const k of ['params', 'm', 'v'] as const) a[k].forEach((x, i) => assert.deepEqual(b[k][i], x, `${k} ${model.specs[i].name}`));
  const lines = (d: string) => readFileSync(join(root, d, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines('split').map((r) => r.loss), lines('full').map((r) => r.loss));
  const run = JSON.parse(readFileSync(join(root, 'split', 'run.json'), 'utf8'));
  assert.equal(run.tokens, 4 * 2 * 32);
  assert.equal(run.flops, 6 * run.activeParams * run.tokens);
  // Training lowers the loss on this data.
  const losses = lines('full').map((r) => r.loss);
  assert.ok(losses[3] < losses[0], `loss ${losses}`);
});

test('a non-finite step is discarded: typed error, last good state saved', async () => {
  await tiny();
  // An absurd lr makes the first update explode; the second step's loss is then not finite.
  await assert.rejects(train(cfg('nan', { lr: 1e30, warmup: 0, adamw: { ...TRAIN_DEFAULTS.adamw, clipNorm: 0 } })), (e: unknown) => e instanceof TrainError && e.code === 'train/nonfinite');
  const run = JSON.parse(readFileSync(join(root, 'nan', 'run.json'), 'utf8'));
  assert.equal(run.status, 'diverged');
  const model = await loadModel(ckpt);
  const saved = loadCheckpointState(run.lastCheckpoint, model);
  assert.ok(saved.info.step >= 1);
  assert.ok(saved.state.params.every((p) => p.every(Number.isFinite)));
});

test('an abort saves a checkpoint and stops', async () => {
  await tiny();
  const ac = new AbortController();
  const out = await train(cfg('abort', { steps: 50 }), { signal: ac.signal, log: (l) => { if (l.startsWith('step 2/')) ac.abort(); } });
  assert.equal(out.status, 'cancelled');
  assert.equal(out.step, 2);
  assert.match(out.lastCheckpoint!, /ckpt-000002$/);
});
