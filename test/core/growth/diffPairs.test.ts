// `graft diff` pairing: a Graft-grown B is compared tensor by tensor with the sources its rebuilt plan names.
import assert from 'node:assert/strict';
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pairingSummary, pairWithSources } from '../../../src/core/growth/diffPairs';
import { openCheckpoint } from '../../../src/core/safetensors/index';
import { grow, tempDir, tiny } from './helpers';

const dir = tempDir();

test('experts ×2, α = 0.01, σ per tensor: every copy is paired with its original, noise ratio ≈ α', async () => {
  const a = await tiny(dir, 'a', { family: 'mixtral', dtype: 'F32', layers: 2 });
  const { plan, out } = await grow(a, [{ op: 'experts', factor: 2, alpha: 0.01, sigma: 'tensor', placement: 'append' }], join(dir, 'b'), { seed: 7, chunkBytes: 4096 });
  const p = await pairWithSources(a, out, { chunkBytes: 1000 });
  assert.ok(p.matched, p.matched ? '' : p.reason);
  assert.equal(p.by, 'source header hash');
  const added = plan.tensors.filter((t) => !a.tensors.has(t.name));
  const noised = p.pairs.filter((x) => x.kind === 'noise');
  assert.deepEqual(noised.map((x) => x.name).sort(), added.map((t) => t.name).sort(), 'every added expert tensor is paired');
  assert.equal(noised.length, 2 * 8 * 3);
  for (const x of noised) {
    const t = plan.tensors.find((y) => y.name === x.name)!;
    assert.equal(x.source, t.source!.name);
    assert.equal(x.source, x.name.replace(/experts\.(\d+)\./, (_, e) => `experts.${Number(e) - 8}.`), 'copy 8+e of expert e');
    assert.equal(x.sourceExpert, Number(/experts\.(\d+)\./.exec(x.name)![1]) - 8);
    assert.equal(x.alpha, 0.01);
    assert.ok(Math.abs(x.expectedRelNoiseStd! - 0.01) < 1e-9, `σ per tensor: expected ratio is α (${x.expectedRelNoiseStd})`);
    const n = a.tensors.get(x.source)!.shape.reduce((u, v) => u * v, 1);
    const tol = 5 * 0.01 / Math.sqrt(2 * n);
    assert.ok(Math.abs(x.relNoiseStd - 0.01) < tol, `${x.name}: ${x.relNoiseStd} vs 0.01 ± ${tol}`);
    assert.ok(x.maxAbsDiff > 0 && !x.identical);
  }
  // The routers: original rows exact, copied rows noised.
  const slices = p.pairs.filter((x) => x.kind === 'slice');
  assert.equal(new Set(slices.map((x) => x.name)).size, 2);
  for (const x of slices) {
    if (x.alpha === undefined) assert.equal(x.maxAbsDiff, 0);
    else assert.deepEqual(x.sourceRows!.map((r) => r + 8), x.rows);
  }
  const s = pairingSummary(p).join('\n');
  assert.match(s, /48 noised \(relative noise std 0\.01\d\d median, α = 0\.01\)/);
  assert.match(s, /2 router slices/);
  // Chunk size changes nothing.
  const q = await pairWithSources(a, out, { chunkBytes: 1 << 20 });
  assert.ok(q.matched);
  assert.deepEqual(q.pairs.map((x) => x.maxAbsDiff), p.pairs.map((x) => x.maxAbsDiff));
  for (let i = 0; i < p.pairs.length; i++) assert.ok(Math.abs(q.pairs[i].relNoiseStd - p.pairs[i].relNoiseStd) < 1e-9);
});

test('interposition: every copied layer is paired with its source layer and exact', async () => {
  const a = await tiny(dir, 'd', { family: 'mixtral', dtype: 'BF16', layers: 3 });
  const { out } = await grow(a, [{ op: 'depth', method: 'interposition' }], join(dir, 'd2'));
  const p = await pairWithSources(a, out);
  assert.ok(p.matched, p.matched ? '' : p.reason);
  assert.ok(p.pairs.length > 0);
  for (const x of p.pairs) {
    assert.equal(x.kind, 'copy');
    assert.equal(x.identical, true, x.name);
    assert.equal(x.maxAbsDiff, 0);
    assert.equal(x.relNoiseStd, 0);
    assert.equal(x.source, x.name.replace(/layers\.\d+\./, `layers.${x.sourceLayer}.`));
  }
  assert.match(pairingSummary(p).join('\n'), new RegExp(`${p.pairs.length} exact copies`));
});

test('pairing is skipped, with the reason, without a recipe or for another source', async () => {
  const a = await tiny(dir, 's', { family: 'mixtral', dtype: 'F32', layers: 1 });
  const other = await tiny(dir, 's-other', { family: 'mixtral', dtype: 'F32', layers: 1, seed: 3, hidden: 32 });
  const { out } = await grow(a, [{ op: 'experts', factor: 2, alpha: 0.01 }], join(dir, 's2'));
  const none = await pairWithSources(a, a);
  assert.equal(none.matched, false);
  assert.match(none.matched ? '' : none.reason, /no graft-recipe\.yaml/);
  const wrong = await pairWithSources(other, out);
  assert.equal(wrong.matched, false);
  // Another source: different header hash and a plan that does not produce B's tensors.
  assert.match(wrong.matched ? '' : wrong.reason, /different source|does not apply/);
  // The same weights re-saved in other shards: header hash differs, the tensor table still matches.
  const resharded = await tiny(dir, 's-resharded', { family: 'mixtral', dtype: 'F32', layers: 1, shardBytes: 200_000 });
  assert.ok(resharded.files.length > 1);
  const re = await pairWithSources(resharded, out);
  assert.ok(re.matched, re.matched ? '' : re.reason);
  assert.equal(re.by, 'tensor table');
  // A copy of B without its recipe: skipped.
  cpSync(join(dir, 's2'), join(dir, 's3'), { recursive: true });
  rmSync(join(dir, 's3', 'graft-recipe.yaml'));
  const bare = await pairWithSources(a, await openCheckpoint(join(dir, 's3')));
  assert.equal(bare.matched, false);
});
