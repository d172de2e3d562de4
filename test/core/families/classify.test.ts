import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FamilyError } from '../../../src/core/errors';
import {
  classifyTensor, detectFamily, expertTensorName, FAMILIES, fusedExpertTensorName, getFamily, layerTensorName, renameTensor,
  routerBiasTensorNames, routerTensorName, sharedExpertGateTensorName, sharedExpertTensorName, splitLayerName,
} from '../../../src/core/families/index';
import { tinyMoeSource, type TinyWriteOptions } from '../../../src/core/model/index';

const ALL: TinyWriteOptions[] = [
  ...FAMILIES.map((f) => ({ family: f.id })),
  { family: 'deepseek_v3', mtpLayers: 1 },
  { family: 'hf5_fused_moe', base: 'qwen2_moe' },
  { family: 'hf5_fused_moe', base: 'mixtral' },
];

describe('classifyTensor', () => {
  for (const o of ALL) {
    it(`${o.family}${o.base ? `/${o.base}` : ''}: every fixture tensor has a role, and layer tensors rename round-trip`, () => {
      const src = tinyMoeSource(o);
      const fam = detectFamily(src.config, src.tensors).family;
      const numLayers = src.config!.num_hidden_layers as number;
      for (const name of src.tensors.keys()) {
        const c = classifyTensor(fam, name, { numLayers });
        assert.notEqual(c.role, 'other', name);
        if (c.layer !== undefined) {
          assert.equal(renameTensor(fam, name, { layer: c.layer }), name);
          assert.equal(splitLayerName(fam, name)?.layer, c.layer);
        }
        if (c.expert !== undefined) assert.equal(renameTensor(fam, name, { expert: c.expert }), name);
      }
    });
  }

  it('mixtral names', () => {
    const f = getFamily('mixtral');
    assert.deepEqual(classifyTensor(f, 'model.layers.2.block_sparse_moe.experts.5.w3.weight'),
      { role: 'expert', layer: 2, expert: 5, matrix: 'up', relative: 'block_sparse_moe.experts.5.w3.weight' });
    assert.deepEqual(classifyTensor(f, 'model.layers.2.block_sparse_moe.gate.weight'), { role: 'router', layer: 2, relative: 'block_sparse_moe.gate.weight' });
    assert.equal(classifyTensor(f, 'model.layers.0.self_attn.o_proj.weight').role, 'attn');
    assert.equal(classifyTensor(f, 'model.layers.0.post_attention_layernorm.weight').role, 'norm');
    assert.deepEqual(classifyTensor(f, 'model.embed_tokens.weight'), { role: 'embed' });
    assert.deepEqual(classifyTensor(f, 'lm_head.weight'), { role: 'head' });
    assert.deepEqual(classifyTensor(f, 'model.norm.weight'), { role: 'final_norm' });
    assert.equal(classifyTensor(f, 'model.rotary_emb.inv_freq').role, 'other');
    assert.equal(classifyTensor(f, 'model.layers.1.some_new_thing.weight').role, 'other');
  });

  it('router biases, shared experts and their gate', () => {
    const v3 = getFamily('deepseek_v3');
    assert.equal(classifyTensor(v3, 'model.layers.3.mlp.gate.e_score_correction_bias').role, 'router_bias');
    assert.deepEqual(classifyTensor(v3, 'model.layers.3.mlp.shared_experts.down_proj.weight'),
      { role: 'shared_expert', layer: 3, matrix: 'down', relative: 'mlp.shared_experts.down_proj.weight' });
    assert.equal(classifyTensor(v3, 'model.layers.0.mlp.down_proj.weight').role, 'dense_mlp');
    const gpt = getFamily('gpt_oss');
    assert.equal(classifyTensor(gpt, 'model.layers.1.mlp.router.bias').role, 'router_bias');
    assert.deepEqual(classifyTensor(gpt, 'model.layers.1.mlp.experts.gate_up_proj_bias'),
      { role: 'expert', layer: 1, matrix: 'gate_up_bias', fused: true, relative: 'mlp.experts.gate_up_proj_bias' });
    assert.equal(classifyTensor(gpt, 'model.layers.1.self_attn.sinks').role, 'attn');
    const q2 = getFamily('qwen2_moe');
    assert.equal(classifyTensor(q2, 'model.layers.0.mlp.shared_expert_gate.weight').role, 'shared_expert_gate');
  });

  it('quantisation companions keep their owner (DeepSeek FP8 scales, GPT-OSS MXFP4 blocks)', () => {
    const v3 = getFamily('deepseek_v3');
    const n = 'model.layers.3.mlp.experts.7.down_proj.weight_scale_inv';
    assert.deepEqual(classifyTensor(v3, n),
      { role: 'expert', layer: 3, expert: 7, matrix: 'down', relative: 'mlp.experts.7.down_proj.weight_scale_inv', companion: '_scale_inv' });
    assert.equal(renameTensor(v3, n, { layer: 9, expert: 15 }), 'model.layers.9.mlp.experts.15.down_proj.weight_scale_inv');
    const c = classifyTensor(getFamily('gpt_oss'), 'model.layers.0.mlp.experts.gate_up_proj_blocks');
    assert.equal(c.matrix, 'gate_up');
    assert.equal(c.companion, '_blocks');
  });

  it('DeepSeek MTP layers: by index when the layer count is known, by marker names otherwise', () => {
    const v3 = getFamily('deepseek_v3');
    assert.equal(classifyTensor(v3, 'model.layers.61.mlp.experts.0.up_proj.weight', { numLayers: 61 }).role, 'mtp');
    assert.equal(classifyTensor(v3, 'model.layers.61.mlp.experts.0.up_proj.weight').role, 'expert');
    assert.deepEqual(classifyTensor(v3, 'model.layers.61.eh_proj.weight'), { role: 'mtp', layer: 61, relative: 'eh_proj.weight' });
    assert.equal(renameTensor(v3, 'model.layers.61.eh_proj.weight', { layer: 122 }), 'model.layers.122.eh_proj.weight');
  });

  it('generic family guesses roles from names', () => {
    const g = detectFamily(null, ['transformer.h.0.attn.c_attn.weight']).family;
    assert.equal(classifyTensor(g, 'transformer.h.3.attn.c_attn.weight').role, 'attn');
    assert.equal(classifyTensor(g, 'transformer.h.3.ln_1.weight').role, 'norm');
    assert.equal(classifyTensor(g, 'transformer.h.3.mlp.c_fc.weight').role, 'dense_mlp');
    assert.equal(classifyTensor(g, 'transformer.wte.weight').role, 'embed');
    assert.equal(classifyTensor(g, 'transformer.ln_f.weight').role, 'final_norm');
    assert.equal(classifyTensor(g, 'transformer.h.3.attn.c_attn.weight').layer, 3);
  });
});

describe('name builders', () => {
  it('build the names the tables describe', () => {
    const mx = getFamily('mixtral');
    assert.equal(expertTensorName(mx, 3, 5, 'gate'), 'model.layers.3.block_sparse_moe.experts.5.w1.weight');
    assert.equal(routerTensorName(mx, 0), 'model.layers.0.block_sparse_moe.gate.weight');
    assert.equal(layerTensorName(mx, 7, 'self_attn.q_proj.weight'), 'model.layers.7.self_attn.q_proj.weight');
    assert.equal(renameTensor(mx, 'model.layers.3.block_sparse_moe.experts.5.w2.weight', { layer: 6, expert: 13 }),
      'model.layers.6.block_sparse_moe.experts.13.w2.weight');
    const v3 = getFamily('deepseek_v3');
    assert.deepEqual(routerBiasTensorNames(v3, 4), ['model.layers.4.mlp.gate.e_score_correction_bias']);
    assert.equal(sharedExpertTensorName(v3, 4, 'up'), 'model.layers.4.mlp.shared_experts.up_proj.weight');
    assert.equal(sharedExpertGateTensorName(getFamily('qwen2_moe'), 1), 'model.layers.1.mlp.shared_expert_gate.weight');
    const gpt = getFamily('gpt_oss');
    assert.equal(fusedExpertTensorName(gpt, 2, 'down_bias'), 'model.layers.2.mlp.experts.down_proj_bias');
    assert.deepEqual(routerBiasTensorNames(gpt, 2), ['model.layers.2.mlp.router.bias']);
  });

  it('refuse what the layout cannot express, with FamilyError', () => {
    const isFamilyError = (e: unknown) => e instanceof FamilyError;
    assert.throws(() => expertTensorName(getFamily('gpt_oss'), 0, 1, 'gate_up'), isFamilyError);
    assert.throws(() => fusedExpertTensorName(getFamily('mixtral'), 0, 'gate'), isFamilyError);
    assert.throws(() => routerTensorName(getFamily('llama'), 0), isFamilyError);
    assert.throws(() => renameTensor(getFamily('mixtral'), 'model.embed_tokens.weight', { layer: 1 }), isFamilyError);
    assert.throws(() => renameTensor(getFamily('mixtral'), 'model.layers.0.self_attn.q_proj.weight', { expert: 1 }), isFamilyError);
    assert.throws(() => layerTensorName(getFamily('mixtral'), -1, 'x'), isFamilyError);
  });
});
