// Qwen2-MoE: routed experts plus one shared expert behind a sigmoid gate; q/k/v biases; dense layers chosen by
// decoder_sparse_step and mlp_only_layers.
import { DEPTH_KEYS_DEFAULT, LLAMA_GLOBALS, swiglu } from './common';
import type { FamilyTable } from './types';

export const qwen2Moe: FamilyTable = {
  ...LLAMA_GLOBALS,
  id: 'qwen2_moe',
  label: 'Qwen2-MoE',
  modelTypes: ['qwen2_moe'],
  architectures: ['Qwen2MoeForCausalLM'],
  attention: { kind: 'gqa', qkvBias: true, outBias: false },
  denseMlp: swiglu('mlp.'),
  denseIntermediateKey: 'intermediate_size',
  moe: {
    expertCountKey: 'num_experts',
    topKKey: 'num_experts_per_tok',
    normTopKKey: 'norm_topk_prob',
    normTopKDefault: false,
    scoring: 'softmax',
    expertIntermediateKey: 'moe_intermediate_size',
    expertLayout: 'per-expert',
    blockPrefix: 'mlp.',
    router: 'mlp.gate.weight',
    experts: swiglu('mlp.experts.{e}.'),
    sharedExpert: swiglu('mlp.shared_expert.'),
    sharedIntermediateKey: 'shared_expert_intermediate_size',
    sharedExpertGate: 'mlp.shared_expert_gate.weight',
  },
  denseLayers: { kind: 'sparse-step', stepKey: 'decoder_sparse_step', onlyMlpKey: 'mlp_only_layers' },
  depthKeys: { ...DEPTH_KEYS_DEFAULT, layerIndexSets: ['mlp_only_layers'], thresholds: ['max_window_layers', 'decoder_sparse_step'] },
};
