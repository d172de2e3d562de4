import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { attnOutProjTensorNames, classifyTensor, getFamily, renameTensor } from '../../../src/core/families/index';
import { grow, Reader, tempDir, tiny } from './helpers';

test('interposition ×2: every output tensor is bitwise equal to its source layer\'s tensor', async () => {
  const dir = tempDir();
  const src = await tiny(dir, 'src', { family: 'qwen2_moe', dtype: 'BF16', layers: 3, mlpOnlyLayers: [1] });
  const { plan, out } = await grow(src, [{ op: 'depth', method: 'interposition', ignore_last: 1 }], join(dir, 'out'));
  assert.deepEqual(plan.layerMap, [0, 0, 1, 1, 2]);
  assert.equal(plan.functionPreserved.preserved, false);
  const t = getFamily('qwen2_moe');
  const rd = new Reader();
  let checked = 0;
  for (const [name] of out.tensors) {
    const cls = classifyTensor(t, name);
    const srcName = cls.layer === undefined ? name : renameTensor(t, name, { layer: plan.layerMap[cls.layer] });
    assert.deepEqual(await rd.bytes(out, name), await rd.bytes(src, srcName), name);
    checked++;
  }
  assert.equal(checked, plan.tensors.length);
  const cfg = JSON.parse(readFileSync(join(dir, 'out', 'config.json'), 'utf8'));
  assert.equal(cfg.num_hidden_layers, 5);
  assert.deepEqual(cfg.mlp_only_layers, [2, 3]);
  assert.equal(cfg.torch_dtype, 'bfloat16');
  // Key order is the source's.
  assert.deepEqual(Object.keys(cfg), Object.keys(src.config!));
  assert.ok(existsSync(join(dir, 'out', 'generation_config.json')));
  assert.ok(existsSync(join(dir, 'out', 'graft-recipe.yaml')));
  const meta = [...out.metadata.values()][0];
  assert.equal(meta.graft_recipe_sha256, plan.recipeHash);
  assert.equal(meta.graft_source_header_sha256, plan.source.headerSha256);
});

test('LLaMA-Pro: inserted blocks have o_proj and every down projection (routed and shared) zeroed', async () => {
  const dir = tempDir();
  const src = await tiny(dir, 'src', { family: 'qwen2_moe', dtype: 'F32', layers: 2 });
  const { plan, out } = await grow(src, [{ op: 'depth', method: 'llama-pro', add: 2 }], join(dir, 'out'));
  assert.deepEqual(plan.layerMap, [0, 0, 1, 1]);
  assert.deepEqual(plan.identityLayers, [1, 3]);
  assert.equal(plan.functionPreserved.preserved, true);
  const t = getFamily('qwen2_moe');
  const rd = new Reader();
  let zeros = 0;
  for (const [name] of out.tensors) {
    const cls = classifyTensor(t, name);
    if (cls.layer === undefined) continue;
    const isOut = attnOutProjTensorNames(t, cls.layer).includes(name) || cls.matrix === 'down';
    const v = await rd.f32(out, name);
    const allZero = v.every((x) => x === 0);
    if (plan.identityLayers.includes(cls.layer) && isOut) {
      assert.ok(allZero, `${name} should be zero`);
      zeros++;
    } else {
      assert.deepEqual(await rd.bytes(out, name), await rd.bytes(src, renameTensor(t, name, { layer: plan.layerMap[cls.layer] })), name);
    }
  }
  // Per inserted layer: o_proj + 8 routed downs + the shared expert's down.
  assert.equal(zeros, 2 * (1 + 8 + 1));
});

test('DeepSeek V3: MTP layer renumbered; first_k_dense_replace follows interposition; stack is refused', async () => {
  const dir = tempDir();
  const src = await tiny(dir, 'src', { family: 'deepseek_v3', dtype: 'BF16', layers: 3, firstDense: 1, mtpLayers: 1 });
  const { plan, out } = await grow(src, [{ op: 'depth', method: 'interposition' }], join(dir, 'out'));
  assert.equal(plan.config.first_k_dense_replace, 2);
  assert.ok(out.tensors.has('model.layers.6.eh_proj.weight'));
  assert.deepEqual(await new Reader().bytes(out, 'model.layers.6.eh_proj.weight'), await new Reader().bytes(src, 'model.layers.3.eh_proj.weight'));
  await assert.rejects(grow(src, [{ op: 'depth', method: 'stack' }], join(dir, 'bad')), /first_k_dense_replace/);
  assert.ok(!existsSync(join(dir, 'bad')));
});

test('gpt_oss layer_types rebuilt; an unknown per-layer key is a PlanError naming it', async () => {
  const dir = tempDir();
  const src = await tiny(dir, 'src', { family: 'gpt_oss', dtype: 'BF16', layers: 2 });
  const { plan } = await grow(src, [{ op: 'depth', method: 'stack', factor: 3 }], join(dir, 'out'));
  assert.deepEqual(plan.config.layer_types, ['sliding_attention', 'full_attention', 'sliding_attention', 'full_attention', 'sliding_attention', 'full_attention']);
  const odd = await tiny(dir, 'odd', { family: 'mixtral', layers: 2, configOverrides: { cross_attention_layers: [1] } });
  await assert.rejects(grow(odd, [{ op: 'depth', method: 'interposition' }], join(dir, 'o2')), (e: Error) => e.name === 'PlanError' && /cross_attention_layers/.test(e.message));
});
