// Pieces shared by the Llama-style families (embed, final norm, head, attention, norms, SwiGLU MLP). Each family
// table spreads these and states everything else itself, so a table still reads as the whole truth about a family.
import type { FamilyTable, MatrixKind } from './types';

export const LLAMA_GLOBALS = {
  layerPrefix: 'model.layers.{i}.',
  layerCountKey: 'num_hidden_layers',
  hiddenSizeKey: 'hidden_size',
  embed: 'model.embed_tokens.weight',
  finalNorm: 'model.norm.weight',
  head: 'lm_head.weight',
  tieKey: 'tie_word_embeddings',
  tieDefault: false,
  attnPrefix: 'self_attn.',
  attnOutProj: 'self_attn.o_proj.weight',
  norms: ['input_layernorm.weight', 'post_attention_layernorm.weight'],
  attention: { kind: 'gqa', qkvBias: false, outBias: false },
} satisfies Partial<FamilyTable>;

/** SwiGLU MLP under `prefix` (e.g. `mlp.`, `mlp.shared_expert.`, `mlp.experts.{e}.`). */
export function swiglu(prefix: string): Partial<Record<MatrixKind, string>> {
  return { gate: `${prefix}gate_proj.weight`, up: `${prefix}up_proj.weight`, down: `${prefix}down_proj.weight` };
}

export const DEPTH_KEYS_DEFAULT: FamilyTable['depthKeys'] = {
  perLayerLists: ['layer_types', 'mlp_layer_types'],
  layerIndexSets: [],
  thresholds: ['max_window_layers'],
};
