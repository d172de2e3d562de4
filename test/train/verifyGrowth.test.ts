// Function preservation verified by a forward pass (METHOD.md §2): the grown model's logits against the source's.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseRecipe } from '../../src/core/growth/index';
import { makeTinyMoe } from '../../src/core/model/tinyMoe';
import { randomTokens, verifyGrowth } from '../../src/train/verifyGrowth';

const dir = mkdtempSync(join(tmpdir(), 'graft-verify-test-'));
const work = join(dir, 'tmp');
mkdirSync(work);
after(() => rmSync(dir, { recursive: true, force: true }));
const recipe = (ops: string) => parseRecipe(`schema: graft/recipe@1\nseed: 3\nops:\n${ops}`);
const tiny = { layers: 2, experts: 4, topK: 2, hidden: 32, intermediate: 32, heads: 4, kvHeads: 2 };
const o = { tokens: 16, seed: 1, threads: 1, tmpDir: work };
const EXPERTS_A0 = '  - op: experts\n    factor: 2\n    alpha: 0\n';

test('random tokens are deterministic for a seed and within the vocabulary', () => {
  assert.deepEqual(randomTokens(50, 259, 7), randomTokens(50, 259, 7));
  assert.notDeepEqual(randomTokens(50, 259, 7), randomTokens(50, 259, 8));
  assert.ok(randomTokens(1000, 259, 1).every((t) => t < 259));
});

for (const family of ['mixtral', 'olmoe', 'qwen2_moe'] as const) {
  test(`${family}: experts ×2, α = 0, top-k doubled → verified preserved; temp folder removed`, async () => {
    const { dest } = await makeTinyMoe(join(dir, family), { family, ...tiny });
    const r = await verifyGrowth(dest, recipe(EXPERTS_A0), o);
    assert.equal(r.preservedByRule, true, r.reasons.join('; '));
    assert.equal(r.verified, 'preserved', r.message);
    assert.equal(r.message, 'verified preserved');
    assert.ok(r.maxAbsDiff! <= 1e-4 * r.maxAbsLogit!, `${r.maxAbsDiff}`);
    assert.ok(Math.abs(r.lossAfter! - r.lossBefore!) < 1e-5);
    assert.equal(r.provider, 'cpu');
    assert.deepEqual(readdirSync(work), []);
  });
}

test('mixtral: α = 0.01 → changed but tiny; keep_topk → changed; interposition ×2 → changed (large); LLaMA-Pro → preserved', async () => {
  const src = join(dir, 'mixtral');
  const noisy = await verifyGrowth(src, recipe('  - op: experts\n    alpha: 0.01\n'), o);
  assert.equal(noisy.preservedByRule, false);
  assert.equal(noisy.verified, 'changed');
  assert.match(noisy.message, /^not preserved \(Δ = /);
  assert.ok(noisy.maxAbsDiff! < 0.05 * noisy.maxAbsLogit!, `α = 0.01: ${noisy.maxAbsDiff} vs ${noisy.maxAbsLogit}`);
  assert.ok(Math.abs(noisy.lossAfter! - noisy.lossBefore!) < 1e-2);

  const keep = await verifyGrowth(src, recipe('  - op: experts\n    alpha: 0\n    keep_topk: true\n'), o);
  assert.equal(keep.preservedByRule, false);
  assert.equal(keep.verified, 'changed');

  const inter = await verifyGrowth(src, recipe('  - op: depth\n    method: interposition\n    factor: 2\n'), o);
  assert.equal(inter.preservedByRule, false);
  assert.equal(inter.verified, 'changed');
  assert.ok(inter.maxAbsDiff! > noisy.maxAbsDiff!, `interposition ${inter.maxAbsDiff} vs α = 0.01 ${noisy.maxAbsDiff}`);

  const pro = await verifyGrowth(src, recipe('  - op: depth\n    method: llama-pro\n    add: 2\n'), o);
  assert.equal(pro.preservedByRule, true, pro.reasons.join('; '));
  assert.equal(pro.verified, 'preserved', pro.message);
});

test('a family without a forward model → unsupported, never a pass', async () => {
  const { dest } = await makeTinyMoe(join(dir, 'deepseek'), { family: 'deepseek_v3', layers: 2, hidden: 32, intermediate: 32, heads: 4, kvHeads: 4 });
  const r = await verifyGrowth(dest, recipe(EXPERTS_A0), o);
  assert.equal(r.verified, 'unsupported');
  assert.match(r.message, /^cannot verify: family deepseek_v3/);
  assert.equal(r.maxAbsDiff, null);
});

test('demo/tiny-mixtral: experts ×2, α = 0 → verified preserved on its own data', async () => {
  const r = await verifyGrowth(join(__dirname, '..', '..', 'demo', 'tiny-mixtral'), recipe(EXPERTS_A0), { ...o, data: join(__dirname, '..', '..', 'data', 'corpus') });
  assert.equal(r.tokenSource, 'data');
  assert.equal(r.verified, 'preserved', r.message);
  assert.ok(r.lossBefore! > 0 && r.lossBefore! < 20);
});

test('graft plan --verify --json carries the verification; the temp folder is gone', () => {
  writeFileSync(join(dir, 'r.yaml'), `schema: graft/recipe@1\nseed: 1\nops:\n${EXPERTS_A0}`);
  const env = { ...process.env, GRAFT_FROM_SOURCE: '1', TMPDIR: work };
  const r = spawnSync(process.execPath, ['bin/graft.js', 'plan', join(dir, 'mixtral'), '--recipe', join(dir, 'r.yaml'), '--verify', '--tokens', '8', '--seed', '2', '--threads', '1', '--json'], { env, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const p = JSON.parse(r.stdout);
  assert.equal(p.functionPreserved.preserved, true);
  assert.equal(p.verification.verified, 'preserved');
  assert.equal(p.verification.tokens, 8);
  assert.equal(p.verification.seed, 2);
  assert.ok(existsSync(join(dir, 'mixtral', 'config.json')));
  assert.deepEqual(readdirSync(work).filter((n) => n.startsWith('graft-verify-')), []);
  const text = spawnSync(process.execPath, ['bin/graft.js', 'plan', join(dir, 'mixtral'), '--recipe', join(dir, 'r.yaml'), '--verify', '--tokens', '8', '--threads', '1'], { env, encoding: 'utf8' });
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /verified preserved/);
});
