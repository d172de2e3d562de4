// GPT-OSS: fused experts with gate/up interleaved on the last axis, per-expert biases, a biased router,
// attention sinks and per-layer sliding/full attention (`layer_types`).
import { DEPTH_KEYS_DEFAULT, LLAMA_GLOBALS } from './common';
import type { FamilyTable } from './types';

export const gptOss: FamilyTable = {
  ...LLAMA_GLOBALS,
  id: 'gpt_oss',
  label: 'GPT-OSS',
  modelTypes: ['gpt_oss'],
  architectures: ['GptOssForCausalLM'],
  attnOutBias: 'self_attn.o_proj.bias',
  attention: { kind: 'gqa', qkvBias: true, outBias: true, sinks: true },
  moe: {
    expertCountKey: 'num_local_experts',
    topKKey: 'num_experts_per_tok',
    // Top-k over logits, then a softmax over the selected: the same as renormalised top-k softmax.
    normTopKDefault: true,
    scoring: 'softmax',
    expertIntermediateKey: 'intermediate_size',
    expertLayout: 'fused-gpt-oss',
    blockPrefix: 'mlp.',
    router: 'mlp.router.weight',
    routerBias: ['mlp.router.bias'],
    experts: {
      gate_up: 'mlp.experts.gate_up_proj',
      gate_up_bias: 'mlp.experts.gate_up_proj_bias',
      down: 'mlp.experts.down_proj',
      down_bias: 'mlp.experts.down_proj_bias',
    },
  },
  denseLayers: { kind: 'none' },
  depthKeys: DEPTH_KEYS_DEFAULT,
};
