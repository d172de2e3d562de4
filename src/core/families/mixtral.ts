// Mixtral (MixtralForCausalLM): every layer sparse; experts w1 (gate), w3 (up), w2 (down) under block_sparse_moe.
import { DEPTH_KEYS_DEFAULT, LLAMA_GLOBALS } from './common';
import type { FamilyTable } from './types';

export const mixtral: FamilyTable = {
  ...LLAMA_GLOBALS,
  id: 'mixtral',
  label: 'Mixtral',
  modelTypes: ['mixtral'],
  architectures: ['MixtralForCausalLM'],
  moe: {
    expertCountKey: 'num_local_experts',
    topKKey: 'num_experts_per_tok',
    // Mixtral always renormalises the top-k softmax weights; there is no key for it.
    normTopKDefault: true,
    scoring: 'softmax',
    expertIntermediateKey: 'intermediate_size',
    expertLayout: 'per-expert',
    blockPrefix: 'block_sparse_moe.',
    router: 'block_sparse_moe.gate.weight',
    experts: {
      gate: 'block_sparse_moe.experts.{e}.w1.weight',
      up: 'block_sparse_moe.experts.{e}.w3.weight',
      down: 'block_sparse_moe.experts.{e}.w2.weight',
    },
  },
  denseLayers: { kind: 'none' },
  depthKeys: DEPTH_KEYS_DEFAULT,
};
