// config.json for a tiny model of any family, with every key spelled by the family table (plus the standard
// Hugging Face keys every Llama-style config carries).
import { fusedHf5Variant, getFamily, type FamilyId, type FamilyTable } from '../families/index';
import { FamilyError } from '../errors';

export interface TinyMoeOptions {
  /** Default `mixtral`. `hf5_fused_moe` writes `base`'s config with transformers 5 fused experts. */
  family?: FamilyId;
  /** For `hf5_fused_moe`: the family whose config keys and names it follows (default `qwen3_moe`). */
  base?: FamilyId;
  layers?: number;
  experts?: number;
  topK?: number;
  hidden?: number;
  /** One routed expert's intermediate width (the MLP's, for dense families). */
  intermediate?: number;
  /** Dense layers of MoE families (DeepSeek's first layers, Qwen's mlp_only_layers). Default 2 × intermediate. */
  denseIntermediate?: number;
  /** Qwen2-MoE shared expert width; default 2 × intermediate. */
  sharedIntermediate?: number;
  heads?: number;
  kvHeads?: number;
  /** 256 byte tokens + bos/eos/pad by default (259); pass 256 for pure bytes. */
  vocab?: number;
  /** DeepSeek shared experts (default 1). */
  sharedExperts?: number;
  /** DeepSeek first_k_dense_replace (default 1). */
  firstDense?: number;
  /** Qwen mlp_only_layers (default none). */
  mlpOnlyLayers?: number[];
  /** DeepSeek group-limited routing (V3 default: 4 groups, top 2). */
  nGroup?: number;
  topkGroup?: number;
  /** DeepSeek V3 multi-token-prediction layers (default 0). */
  mtpLayers?: number;
  normTopK?: boolean;
  tie?: boolean;
  /** Extra or replaced config keys, applied last. */
  configOverrides?: Record<string, unknown>;
}

export const BYTE_SPECIALS = { bos_token_id: 256, eos_token_id: 257, pad_token_id: 258 } as const;

/** The naming table for the options (the fused variant for hf5_fused_moe). */
export function tinyFamily(o: TinyMoeOptions): FamilyTable {
  const id = o.family ?? 'mixtral';
  if (id === 'generic') throw new FamilyError('family', 'a tiny model needs a concrete family, not generic', { key: 'family' });
  if (id === 'hf5_fused_moe') return fusedHf5Variant(getFamily(o.base ?? 'qwen3_moe'));
  return getFamily(id);
}

export function tinyConfig(o: TinyMoeOptions): Record<string, unknown> {
  const t = tinyFamily(o);
  const base = t.baseFamily ? getFamily(t.baseFamily) : t;
  const hidden = o.hidden ?? 64;
  const heads = o.heads ?? 4;
  const inter = o.intermediate ?? 128;
  const layers = o.layers ?? 4;
  const c: Record<string, unknown> = {
    architectures: [base.architectures[0]],
    model_type: base.modelTypes[0],
    vocab_size: o.vocab ?? 259,
    [t.hiddenSizeKey]: hidden,
    intermediate_size: inter,
    [t.layerCountKey]: layers,
    num_attention_heads: heads,
    num_key_value_heads: o.kvHeads ?? 2,
    head_dim: hidden / heads,
    hidden_act: 'silu',
    max_position_embeddings: 512,
    initializer_range: 0.02,
    rms_norm_eps: 1e-5,
    rope_theta: 10000,
    attention_dropout: 0,
    use_cache: true,
    ...BYTE_SPECIALS,
    [t.tieKey]: o.tie ?? false,
    torch_dtype: 'float32',
  };
  if (t.attention.kind === 'mla') {
    Object.assign(c, { q_lora_rank: 32, kv_lora_rank: 16, qk_nope_head_dim: 16, qk_rope_head_dim: 8, v_head_dim: 16 });
    delete c.head_dim;
  }
  if (t.attention.sinks) {
    Object.assign(c, { sliding_window: 128, layer_types: Array.from({ length: layers }, (_, i) => (i % 2 ? 'full_attention' : 'sliding_attention')) });
  }
  const m = t.moe;
  if (m) {
    c[m.expertCountKey] = o.experts ?? 8;
    c[m.topKKey] = o.topK ?? 2;
    if (m.expertIntermediateKey !== 'intermediate_size') {
      c[m.expertIntermediateKey] = inter;
      c.intermediate_size = o.denseIntermediate ?? 2 * inter;
    }
    if (m.normTopKKey) c[m.normTopKKey] = o.normTopK ?? m.normTopKDefault ?? false;
    if (m.scoringKey) c[m.scoringKey] = m.scoring;
    if (m.sharedIntermediateKey) c[m.sharedIntermediateKey] = o.sharedIntermediate ?? 2 * inter;
    if (m.sharedExpertCountKey) c[m.sharedExpertCountKey] = o.sharedExperts ?? 1;
    if (m.groupKeys) {
      const sigmoid = m.scoring === 'sigmoid';
      c[m.groupKeys.nGroup] = o.nGroup ?? (sigmoid ? 4 : 1);
      c[m.groupKeys.topkGroup] = o.topkGroup ?? (sigmoid ? 2 : 1);
      c.topk_method = sigmoid ? 'noaux_tc' : 'greedy';
      c.routed_scaling_factor = 1.0;
    }
    const rule = t.denseLayers;
    if (rule?.kind === 'first-k') {
      c[rule.firstDenseKey] = o.firstDense ?? 1;
      c[rule.freqKey] = 1;
    } else if (rule?.kind === 'sparse-step') {
      c[rule.stepKey] = 1;
      c[rule.onlyMlpKey] = o.mlpOnlyLayers ?? [];
    }
    c.router_aux_loss_coef = 0.02;
    c.output_router_logits = false;
  }
  if (t.mtp) c[t.mtp.countKey] = o.mtpLayers ?? 0;
  return { ...c, ...o.configOverrides };
}
