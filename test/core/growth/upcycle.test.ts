import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { dropChannels } from '../../../src/core/growth/index';
import { grow, Reader, tempDir, tiny } from './helpers';

test('llama → mixtral: E copies of each MLP, zero router, mixtral config', async () => {
  const dir = tempDir();
  const src = await tiny(dir, 'src', { family: 'llama', dtype: 'BF16', layers: 2 });
  const { plan, out } = await grow(src, [{ op: 'upcycle', experts: 4, topk: 2 }], join(dir, 'out'));
  assert.equal(plan.family, 'mixtral');
  assert.equal(plan.config.model_type, 'mixtral');
  assert.deepEqual(plan.config.architectures, ['MixtralForCausalLM']);
  assert.equal(plan.config.num_local_experts, 4);
  assert.equal(plan.functionPreserved.preserved, true);
  const rd = new Reader();
  for (let e = 0; e < 4; e++) {
    assert.deepEqual(await rd.bytes(out, `model.layers.1.block_sparse_moe.experts.${e}.w2.weight`), await rd.bytes(src, 'model.layers.1.mlp.down_proj.weight'));
  }
  assert.ok((await rd.f32(out, 'model.layers.0.block_sparse_moe.gate.weight')).every((x) => x === 0));
  assert.deepEqual(out.tensors.get('model.layers.0.block_sparse_moe.gate.weight')!.shape, [4, 64]);
});

test('Drop-Upcycling re-draws the chosen channels (rows of gate/up, columns of down) from the matrix statistics', async () => {
  const dir = tempDir();
  const src = await tiny(dir, 'src', { family: 'qwen3', dtype: 'F32', layers: 1, intermediate: 128 });
  const { plan, out } = await grow(src, [{ op: 'upcycle', experts: 2, topk: 1, drop_ratio: 0.25, router_init: 'normal' }], join(dir, 'out'), { seed: 9 });
  assert.equal(plan.family, 'qwen3_moe');
  assert.equal(plan.config.norm_topk_prob, true);
  const rd = new Reader();
  const up = await rd.f32(src, 'model.layers.0.mlp.up_proj.weight');
  const down = await rd.f32(src, 'model.layers.0.mlp.down_proj.weight');
  for (let e = 0; e < 2; e++) {
    const tr = plan.tensors.find((t) => t.name === `model.layers.0.mlp.experts.${e}.up_proj.weight`)!.transform;
    assert.equal(tr.op, 'drop');
    if (tr.op !== 'drop') return;
    const mask = dropChannels(128, 32, 9, tr.channelStream);
    assert.equal(mask.reduce((a, b) => a + b, 0), 32);
    const u2 = await rd.f32(out, `model.layers.0.mlp.experts.${e}.up_proj.weight`);
    const d2 = await rd.f32(out, `model.layers.0.mlp.experts.${e}.down_proj.weight`);
    for (let c = 0; c < 128; c++) {
      const row = u2.subarray(c * 64, (c + 1) * 64);
      const same = row.every((x, i) => x === up[c * 64 + i]);
      assert.equal(same, !mask[c], `up row ${c}`);
      const colSame = Array.from({ length: 64 }, (_, h) => d2[h * 128 + c] === down[h * 128 + c]).every(Boolean);
      assert.equal(colSame, !mask[c], `down column ${c}`);
    }
  }
  const router = await rd.f32(out, 'model.layers.0.mlp.gate.weight');
  assert.ok(Math.abs(Math.sqrt(router.reduce((a, x) => a + x * x, 0) / router.length) - 0.02) < 0.004);
});
