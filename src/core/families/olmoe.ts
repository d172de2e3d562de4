// OLMoE: every layer sparse; q/k norms over the full projection width (not per head).
import { DEPTH_KEYS_DEFAULT, LLAMA_GLOBALS, swiglu } from './common';
import type { FamilyTable } from './types';

export const olmoe: FamilyTable = {
  ...LLAMA_GLOBALS,
  id: 'olmoe',
  label: 'OLMoE',
  modelTypes: ['olmoe'],
  architectures: ['OlmoeForCausalLM'],
  attention: { kind: 'gqa', qkvBias: false, outBias: false, qkNorm: 'full' },
  moe: {
    expertCountKey: 'num_experts',
    topKKey: 'num_experts_per_tok',
    normTopKKey: 'norm_topk_prob',
    normTopKDefault: false,
    scoring: 'softmax',
    expertIntermediateKey: 'intermediate_size',
    expertLayout: 'per-expert',
    blockPrefix: 'mlp.',
    router: 'mlp.gate.weight',
    experts: swiglu('mlp.experts.{e}.'),
  },
  denseLayers: { kind: 'none' },
  depthKeys: DEPTH_KEYS_DEFAULT,
};
