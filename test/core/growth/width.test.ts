import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { classifyTensor, detectFamily, expertTensorName, getFamily } from '../../../src/core/families/index';
import type { CheckpointSource } from '../../../src/core/safetensors/index';
import { makePlacement } from '../../../src/core/growth/index';
import { grow, Reader, std, tempDir, tiny } from './helpers';

test('experts ×2, per-expert layout: originals bitwise, copies carry noise of std α·σ, router rows copied', async () => {
  const dir = tempDir();
  const src = await tiny(dir, 'src', { family: 'mixtral', dtype: 'F32', layers: 2, hidden: 64, intermediate: 128 });
  const alpha = 0.01;
  const { plan, out } = await grow(src, [{ op: 'experts', alpha }], join(dir, 'out'), { seed: 5 });
  assert.equal(plan.config.num_local_experts, 16);
  assert.equal(plan.config.num_experts_per_tok, 4);
  const t = getFamily('mixtral');
  const rd = new Reader();
  const ratios: number[] = [];
  for (let l = 0; l < 2; l++) {
    for (let e = 0; e < 8; e++) {
      for (const m of ['gate', 'up', 'down'] as const) {
        const orig = await rd.bytes(src, expertTensorName(t, l, e, m));
        assert.deepEqual(await rd.bytes(out, expertTensorName(t, l, e, m)), orig);
        const a = await rd.f32(src, expertTensorName(t, l, e, m));
        const b = await rd.f32(out, expertTensorName(t, l, e + 8, m));
        ratios.push(std(b.map((x, i) => x - a[i])) / (alpha * std(a)));
      }
    }
    const r0 = await rd.f32(src, `model.layers.${l}.block_sparse_moe.gate.weight`);
    const r1 = await rd.f32(out, `model.layers.${l}.block_sparse_moe.gate.weight`);
    assert.deepEqual(r1.subarray(0, r0.length), r0);
    const d = r1.subarray(r0.length).map((x, i) => x - r0[i]);
    assert.ok(Math.abs(std(d) / (alpha * std(r0)) - 1) < 0.1, 'router noise');
  }
  const mean = ratios.reduce((a, b) => a + b, 0) / ratios.length;
  assert.ok(Math.abs(mean - 1) < 0.02, `mean std(Δ)/(ασ) = ${mean}`);
  assert.ok(ratios.every((r) => Math.abs(r - 1) < 0.1), `per tensor ${Math.min(...ratios)}..${Math.max(...ratios)}`);
});

test('α = 0 copies are bitwise equal and the function is preserved; keep_topk is flagged', async () => {
  const dir = tempDir();
  const src = await tiny(dir, 'src', { family: 'olmoe', dtype: 'BF16', layers: 1 });
  const { plan, out } = await grow(src, [{ op: 'experts', alpha: 0, factor: 3 }], join(dir, 'out'));
  assert.equal(plan.functionPreserved.preserved, true);
  const t = getFamily('olmoe');
  const rd = new Reader();
  for (let e = 0; e < 24; e++) assert.deepEqual(await rd.bytes(out, expertTensorName(t, 0, e, 'down')), await rd.bytes(src, expertTensorName(t, 0, e % 8, 'down')));
  const kept = await grow(src, [{ op: 'experts', alpha: 0, keep_topk: true }], join(dir, 'kept'));
  assert.equal(kept.plan.functionPreserved.preserved, false);
  assert.equal(kept.plan.config.num_experts_per_tok, 2);
});

test('grouped placement (DeepSeek V3): each copy stays in its group, with its router row and correction bias entry', async () => {
  const dir = tempDir();
  const src = await tiny(dir, 'src', { family: 'deepseek_v3', dtype: 'F32', layers: 2, firstDense: 1, nGroup: 4, topkGroup: 2 });
  const { plan, out } = await grow(src, [{ op: 'experts', alpha: 0 }], join(dir, 'out'));
  const place = makePlacement(8, 2, 4, 'grouped');
  assert.deepEqual(place.inverse.map(([e]) => e), [0, 1, 0, 1, 2, 3, 2, 3, 4, 5, 4, 5, 6, 7, 6, 7]);
  const t = getFamily('deepseek_v3');
  const rd = new Reader();
  const router = await rd.f32(src, 'model.layers.1.mlp.gate.weight');
  const router2 = await rd.f32(out, 'model.layers.1.mlp.gate.weight');
  const bias = await rd.f32(src, 'model.layers.1.mlp.gate.e_score_correction_bias');
  const bias2 = await rd.f32(out, 'model.layers.1.mlp.gate.e_score_correction_bias');
  const H = router.length / 8;
  place.inverse.forEach(([e], e2) => {
    assert.deepEqual(router2.subarray(e2 * H, (e2 + 1) * H), router.subarray(e * H, (e + 1) * H));
    assert.equal(bias2[e2], bias[e]);
  });
  for (const [e, c] of [[3, 1], [6, 0]]) {
    assert.deepEqual(await rd.bytes(out, expertTensorName(t, 1, place.index(e, c), 'up')), await rd.bytes(src, expertTensorName(t, 1, e, 'up')));
  }
  // Dense layer 0 and shared experts are untouched; the verdict notes the top-2-sum group score.
  assert.deepEqual(await rd.bytes(out, 'model.layers.0.mlp.down_proj.weight'), await rd.bytes(src, 'model.layers.0.mlp.down_proj.weight'));
  assert.deepEqual(await rd.bytes(out, 'model.layers.1.mlp.shared_experts.up_proj.weight'), await rd.bytes(src, 'model.layers.1.mlp.shared_experts.up_proj.weight'));
  assert.equal(plan.functionPreserved.preserved, false);
});

test('fused layouts (gpt_oss [E,H,2I] and transformers-5 [E,2I,H]): expert slices move with noise on copies only', async () => {
  const dir = tempDir();
  for (const family of ['gpt_oss', 'hf5_fused_moe'] as const) {
    const src = await tiny(dir, family, { family, dtype: 'F32', layers: 1 });
    const { out, plan } = await grow(src, [{ op: 'experts', alpha: 0.01, sigma: 'expert' }], join(dir, `${family}-out`), { seed: 1 });
    assert.equal(plan.sigmaMode, 'expert');
    const rd = new Reader();
    for (const [name, ref] of src.tensors) {
      const cls = classifyTensor(plan.source.family === 'hf5_fused_moe' ? getFamilyOf(src) : getFamily(family), name);
      if (cls.role !== 'expert') continue;
      const a = await rd.f32(src, name);
      const b = await rd.f32(out, name);
      const row = a.length / ref.shape[0];
      assert.equal(b.length, 2 * a.length, name);
      assert.deepEqual(b.subarray(0, a.length), a, `${name} originals`);
      for (let e = 0; e < 8; e++) {
        const orig = a.subarray(e * row, (e + 1) * row);
        const copy = b.subarray((8 + e) * row, (9 + e) * row);
        const r = std(copy.map((x, i) => x - orig[i])) / (0.01 * std(orig, 1));
        // The sample std of n normals has relative standard error ≈ 1/√(2n): allow 5 of those (a 64-element
        // bias slice may deviate by 0.44), but never more than 0.1 on the large matrices.
        const tol = Math.max(0.1, 5 / Math.sqrt(2 * row));
        assert.ok(Math.abs(r - 1) < tol, `${name} expert ${e}: ${r} (n=${row}, tolerance ${tol.toFixed(3)})`);
      }
    }
  }
});

function getFamilyOf(src: CheckpointSource) {
  return detectFamily(src.config, src.tensors).family;
}

test('noise bytes do not depend on the chunk size', async () => {
  const dir = tempDir();
  const src = await tiny(dir, 'src', { family: 'qwen3_moe', dtype: 'BF16', layers: 1 });
  const a = await grow(src, [{ op: 'experts', alpha: 0.05 }], join(dir, 'a'), { chunkBytes: 1 << 20 });
  const b = await grow(src, [{ op: 'experts', alpha: 0.05 }], join(dir, 'b'), { chunkBytes: 70 });
  const rd = new Reader();
  let differs = 0;
  for (const [name] of a.out.tensors) {
    const x = await rd.bytes(a.out, name);
    assert.deepEqual(x, await rd.bytes(b.out, name), name);
    if (src.tensors.has(name) && Buffer.compare(x, await rd.bytes(src, name)) !== 0) differs++;
  }
  assert.ok(differs > 0 || a.out.tensors.size > src.tensors.size);
});

test('depth then width and width then depth give the same tensors, bytes included', async () => {
  const dir = tempDir();
  const src = await tiny(dir, 'src', { family: 'qwen2_moe', dtype: 'BF16', layers: 2, mlpOnlyLayers: [0] });
  const dw = await grow(src, [{ op: 'depth', method: 'interposition' }, { op: 'experts', alpha: 0.01 }], join(dir, 'dw'));
  const wd = await grow(src, [{ op: 'experts', alpha: 0.01 }, { op: 'depth', method: 'interposition' }], join(dir, 'wd'));
  assert.deepEqual([...dw.out.tensors.keys()].sort(), [...wd.out.tensors.keys()].sort());
  const rd = new Reader();
  for (const [name, r] of dw.out.tensors) {
    assert.deepEqual(r.shape, wd.out.tensors.get(name)!.shape, name);
    assert.deepEqual(await rd.bytes(dw.out, name), await rd.bytes(wd.out, name), name);
  }
  assert.deepEqual(dw.plan.config, wd.plan.config);
});
