// Qwen3-MoE: like Qwen2-MoE without the shared expert, with per-head q/k norms and no q/k/v biases.
import { DEPTH_KEYS_DEFAULT, LLAMA_GLOBALS, swiglu } from './common';
import type { FamilyTable } from './types';

export const qwen3Moe: FamilyTable = {
  ...LLAMA_GLOBALS,
  id: 'qwen3_moe',
  label: 'Qwen3-MoE',
  modelTypes: ['qwen3_moe'],
  architectures: ['Qwen3MoeForCausalLM'],
  attention: { kind: 'gqa', qkvBias: false, outBias: false, qkNorm: 'head' },
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
  },
  denseLayers: { kind: 'sparse-step', stepKey: 'decoder_sparse_step', onlyMlpKey: 'mlp_only_layers' },
  depthKeys: { ...DEPTH_KEYS_DEFAULT, layerIndexSets: ['mlp_only_layers'], thresholds: ['max_window_layers', 'decoder_sparse_step'] },
};
