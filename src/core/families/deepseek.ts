// DeepSeek V2 and V3: MLA attention, routed + shared experts, the first k layers dense, group-limited routing.
// V3 scores with a sigmoid and adds a per-expert correction bias; it stores multi-token-prediction layers after
// the decoder layers (index num_hidden_layers, ...).
import { LLAMA_GLOBALS, swiglu } from './common';
import type { FamilyTable, MoeSpec } from './types';

const DEEPSEEK_MOE: MoeSpec = {
  expertCountKey: 'n_routed_experts',
  topKKey: 'num_experts_per_tok',
  normTopKKey: 'norm_topk_prob',
  normTopKDefault: false,
  scoring: 'softmax',
  scoringKey: 'scoring_func',
  expertIntermediateKey: 'moe_intermediate_size',
  expertLayout: 'per-expert',
  blockPrefix: 'mlp.',
  router: 'mlp.gate.weight',
  experts: swiglu('mlp.experts.{e}.'),
  sharedExpert: swiglu('mlp.shared_experts.'),
  sharedExpertCountKey: 'n_shared_experts',
  groupKeys: { nGroup: 'n_group', topkGroup: 'topk_group' },
};

const DEEPSEEK_DEPTH: FamilyTable['depthKeys'] = {
  perLayerLists: ['layer_types', 'mlp_layer_types'],
  layerIndexSets: [],
  thresholds: ['first_k_dense_replace'],
};

export const deepseekV2: FamilyTable = {
  ...LLAMA_GLOBALS,
  id: 'deepseek_v2',
  label: 'DeepSeek-V2',
  modelTypes: ['deepseek_v2'],
  architectures: ['DeepseekV2ForCausalLM'],
  attention: { kind: 'mla', qkvBias: false, outBias: false },
  denseMlp: swiglu('mlp.'),
  denseIntermediateKey: 'intermediate_size',
  moe: DEEPSEEK_MOE,
  denseLayers: { kind: 'first-k', firstDenseKey: 'first_k_dense_replace', freqKey: 'moe_layer_freq' },
  depthKeys: DEEPSEEK_DEPTH,
};

export const deepseekV3: FamilyTable = {
  ...deepseekV2,
  id: 'deepseek_v3',
  label: 'DeepSeek-V3',
  modelTypes: ['deepseek_v3'],
  architectures: ['DeepseekV3ForCausalLM'],
  moe: {
    ...DEEPSEEK_MOE,
    normTopKDefault: true,
    scoring: 'sigmoid',
    routerBias: ['mlp.gate.e_score_correction_bias'],
  },
  mtp: {
    countKey: 'num_nextn_predict_layers',
    markers: [
      { name: 'embed_tokens.weight', shape: ['V', 'H'] },
      { name: 'enorm.weight', shape: ['H'] },
      { name: 'hnorm.weight', shape: ['H'] },
      { name: 'eh_proj.weight', shape: ['H', '2H'] },
      { name: 'shared_head.norm.weight', shape: ['H'] },
      { name: 'shared_head.head.weight', shape: ['V', 'H'] },
    ],
  },
};
