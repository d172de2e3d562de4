// Dense Llama-style families: one SwiGLU MLP per layer. Sparse upcycling turns each into its MoE counterpart.
import { DEPTH_KEYS_DEFAULT, LLAMA_GLOBALS, swiglu } from './common';
import type { FamilyTable } from './types';

const DENSE = {
  ...LLAMA_GLOBALS,
  denseMlp: swiglu('mlp.'),
  denseIntermediateKey: 'intermediate_size',
  depthKeys: DEPTH_KEYS_DEFAULT,
};

export const llama: FamilyTable = {
  ...DENSE, id: 'llama', label: 'Llama', modelTypes: ['llama'], architectures: ['LlamaForCausalLM'], upcycleTo: 'mixtral',
};
export const mistral: FamilyTable = {
  ...DENSE, id: 'mistral', label: 'Mistral', modelTypes: ['mistral'], architectures: ['MistralForCausalLM'], upcycleTo: 'mixtral',
};
/** Qwen2: q/k/v biases; sliding window above `max_window_layers`. */
export const qwen2: FamilyTable = {
  ...DENSE, id: 'qwen2', label: 'Qwen2', modelTypes: ['qwen2'], architectures: ['Qwen2ForCausalLM'], upcycleTo: 'qwen2_moe',
  attention: { kind: 'gqa', qkvBias: true, outBias: false },
};
/** Qwen3: per-head q/k norms. */
export const qwen3: FamilyTable = {
  ...DENSE, id: 'qwen3', label: 'Qwen3', modelTypes: ['qwen3'], architectures: ['Qwen3ForCausalLM'], upcycleTo: 'qwen3_moe',
  attention: { kind: 'gqa', qkvBias: false, outBias: false, qkNorm: 'head' },
};
