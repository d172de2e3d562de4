// scripts/train-demo.ts: a few steps end to end into a temporary folder (the demo's layout, provenance and sunk
// compute), and the shipped demo/ folders are consistent with the script that made them.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTinyMoe } from '../../src/core/model/tinyMoe';
import { openCheckpoint } from '../../src/core/safetensors/index';
import { DEMO_INIT, keptSteps, trainDemo } from '../../scripts/train-demo';

const ROOT = join(__dirname, '..', '..');
const root = mkdtempSync(join(tmpdir(), 'graft-train-demo-test-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('keptSteps: half-way and end of the stable phase, mid-decay, final', () => {
  assert.deepEqual(keptSteps(400, 0.25), [150, 300, 350, 400]);
  assert.deepEqual(keptSteps(8, 0.25), [3, 6, 7, 8]);
  assert.throws(() => keptSteps(2, 0.25));
});

test('DEMO_INIT is the checkpoint scripts/make-demo.ts ships (same config.json)', async () => {
  const init = await makeTinyMoe(join(root, 'init'), { ...DEMO_INIT });
  assert.equal(readFileSync(join(init.dest, 'config.json'), 'utf8'), readFileSync(join(ROOT, 'demo', 'tiny-mixtral', 'config.json'), 'utf8'));
});

test('a short demo run writes both folders, lowers the loss and records sunk compute', async () => {
  const out = join(root, 'out');
  const r = await trainDemo({ outDir: out, steps: 8, batch: 2, seq: 32, warmup: 1, threads: 1, evalEvery: 0, evalBatches: 2, log: () => {} });
  assert.equal(r.steps, 8);
  assert.equal(r.tokens, 8 * 2 * 32);
  assert.equal(r.flops, 6 * r.activeParams * r.tokens);
  assert.ok(r.after.loss < r.before.loss, `${r.before.loss} → ${r.after.loss}`);

  const demo = join(out, 'tiny-mixtral');
  assert.deepEqual(readdirSync(demo).sort(), ['TOKENIZER.md', 'config.json', 'generation_config.json', 'model.safetensors']);
  const src = await openCheckpoint(demo);
  assert.equal([...src.tensors.values()][0].dtype, 'F32');

  const run = join(out, 'tiny-mixtral-run');
  assert.deepEqual(readdirSync(run).sort(), ['ckpt-000003', 'ckpt-000006', 'ckpt-000007', 'ckpt-000008', 'metrics.jsonl', 'run.json']);
  const phases = r.checkpoints.map((c) => c.phase);
  assert.deepEqual(phases, ['stable', 'stable', 'decay', 'annealed']);
  for (const c of r.checkpoints) {
    assert.ok(!existsSync(join(c.dir, 'optimizer.bin')) && !existsSync(join(c.dir, 'state.json')));
    const info = JSON.parse(readFileSync(join(c.dir, 'run.json'), 'utf8'));
    assert.equal(info.tokens, c.step * 2 * 32);
    assert.equal(info.flops, 6 * r.activeParams * info.tokens);
    assert.equal(typeof info.valLoss, 'number');
    const ck = await openCheckpoint(c.dir);
    assert.equal([...ck.tensors.values()][0].dtype, 'BF16');
    assert.equal(ck.config?.torch_dtype, 'bfloat16');
  }
  const runJson = JSON.parse(readFileSync(join(run, 'run.json'), 'utf8'));
  assert.equal(runJson.status, 'done');
  assert.equal(runJson.tokens, r.tokens);
  assert.deepEqual(runJson.shipped.checkpoints, ['ckpt-000003', 'ckpt-000006', 'ckpt-000007', 'ckpt-000008']);
  assert.equal(readFileSync(join(run, 'metrics.jsonl'), 'utf8').trim().split('\n').length, 8);
});

test('the shipped demo/tiny-mixtral-run is a consistent checkpoint sequence', () => {
  const run = join(ROOT, 'demo', 'tiny-mixtral-run');
  const runJson = JSON.parse(readFileSync(join(run, 'run.json'), 'utf8'));
  const { batch, seq } = runJson.config;
  let prev = 0;
  for (const name of runJson.shipped.checkpoints as string[]) {
    const info = JSON.parse(readFileSync(join(run, name, 'run.json'), 'utf8'));
    assert.equal(info.tokens, info.step * batch * seq);
    assert.equal(info.flops, 6 * runJson.activeParams * info.tokens);
    assert.ok(info.step > prev);
    prev = info.step;
  }
  assert.equal(prev, runJson.step);
  assert.ok(runJson.shipped.valLossAfter < runJson.shipped.valLossBefore - 2, 'the trained demo is clearly better than the random init');
});
