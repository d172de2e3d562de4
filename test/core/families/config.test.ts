import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FamilyError } from '../../../src/core/errors';
import { FAMILIES, getFamily, moeLayerIndices, readMoeConfig, validateFamilyTable, type FamilyTable } from '../../../src/core/families/index';

const familyError = (key: string) => (e: unknown) => e instanceof FamilyError && e.details.key === key && e.details.file === '/m/config.json';

describe('family config readers', () => {
  it('read routing settings with the family defaults', () => {
    assert.deepEqual(readMoeConfig(getFamily('mixtral'), { num_local_experts: 8, num_experts_per_tok: 2, intermediate_size: 128 }),
      { numExperts: 8, topK: 2, normTopK: true, scoring: 'softmax', numSharedExperts: 0, expertIntermediate: 128 });
    const v3 = readMoeConfig(getFamily('deepseek_v3'), { n_routed_experts: 256, num_experts_per_tok: 8, n_group: 8, topk_group: 4, n_shared_experts: 1, scoring_func: 'sigmoid' })!;
    assert.equal(v3.scoring, 'sigmoid');
    assert.equal(v3.nGroup, 8);
    assert.equal(v3.topkGroup, 4);
    assert.equal(v3.numSharedExperts, 1);
    assert.equal(v3.normTopK, true);
    assert.equal(readMoeConfig(getFamily('qwen2_moe'), { num_experts: 60, num_experts_per_tok: 4, norm_topk_prob: false })!.numSharedExperts, 1);
    assert.equal(readMoeConfig(getFamily('llama'), { num_hidden_layers: 2 }), null);
  });

  it('name the file and key of a missing or inconsistent setting', () => {
    const mx = getFamily('mixtral');
    assert.throws(() => readMoeConfig(mx, { num_experts_per_tok: 2 }, '/m/config.json'), familyError('num_local_experts'));
    assert.throws(() => readMoeConfig(mx, { num_local_experts: 4, num_experts_per_tok: 5 }, '/m/config.json'), familyError('num_experts_per_tok'));
    assert.throws(() => readMoeConfig(mx, { num_local_experts: 4.5, num_experts_per_tok: 1 }, '/m/config.json'), familyError('num_local_experts'));
    assert.throws(() => readMoeConfig(getFamily('deepseek_v3'), { n_routed_experts: 10, num_experts_per_tok: 2, n_group: 4 }, '/m/config.json'), familyError('n_group'));
    assert.throws(() => readMoeConfig(getFamily('deepseek_v3'), { n_routed_experts: 8, num_experts_per_tok: 2, scoring_func: 'relu' }, '/m/config.json'), familyError('scoring_func'));
  });

  it('pick the MoE layers by each family rule', () => {
    assert.deepEqual(moeLayerIndices(getFamily('mixtral'), {}, 4), [0, 1, 2, 3]);
    assert.deepEqual(moeLayerIndices(getFamily('deepseek_v3'), { first_k_dense_replace: 3, moe_layer_freq: 1 }, 6), [3, 4, 5]);
    assert.deepEqual(moeLayerIndices(getFamily('deepseek_v2'), { first_k_dense_replace: 1, moe_layer_freq: 2 }, 7), [2, 4, 6]);
    assert.deepEqual(moeLayerIndices(getFamily('qwen2_moe'), { decoder_sparse_step: 2, mlp_only_layers: [3] }, 8), [1, 5, 7]);
    assert.deepEqual(moeLayerIndices(getFamily('qwen3_moe'), { mlp_only_layers: [0] }, 3), [1, 2]);
    assert.deepEqual(moeLayerIndices(getFamily('qwen3_moe'), { mlp_layer_types: ['dense', 'sparse', 'sparse'] }, 3), [1, 2]);
    assert.deepEqual(moeLayerIndices(getFamily('llama'), {}, 3), []);
    assert.throws(() => moeLayerIndices(getFamily('qwen2_moe'), { mlp_only_layers: 'x' }, 3, '/m/config.json'), familyError('mlp_only_layers'));
  });
});

describe('validateFamilyTable', () => {
  it('accepts every registered table', () => {
    for (const f of FAMILIES) validateFamilyTable(f);
  });

  const broken = (patch: (t: FamilyTable) => FamilyTable, key: string) => () => {
    assert.throws(() => validateFamilyTable(patch(structuredClone(getFamily('deepseek_v3')))),
      (e: unknown) => e instanceof FamilyError && e.details.key === `deepseek_v3.${key}`);
  };
  it('rejects a layer prefix without {i}', broken((t) => ({ ...t, layerPrefix: 'model.layers.' }), 'layerPrefix'));
  it('rejects a per-expert template without {e}', broken((t) => ({ ...t, moe: { ...t.moe!, experts: { ...t.moe!.experts, up: 'mlp.experts.up_proj.weight' } } }), 'moe.experts.up'));
  it('rejects two roles on one name', broken((t) => ({ ...t, moe: { ...t.moe!, routerBias: ['mlp.gate.weight'] } }), 'moe.routerBias[0]'));
  it('rejects a missing config key', broken((t) => ({ ...t, moe: { ...t.moe!, topKKey: '' } }), 'moe.topKKey'));
  it('rejects an MoE family without a dense-layer rule', broken((t) => ({ ...t, denseLayers: undefined }), 'denseLayers'));
});
