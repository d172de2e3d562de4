// The contract for model families: one table per family (METHOD.md §6) is the single source of truth for
// tensor names and config keys. Growth, statistics, the tree and training read names only through these types
// and the functions of ./index.ts; nothing else in the project spells a family's tensor names.

export type FamilyId =
  | 'mixtral' | 'qwen2_moe' | 'qwen3_moe' | 'olmoe' | 'deepseek_v2' | 'deepseek_v3' | 'gpt_oss'
  | 'hf5_fused_moe' | 'llama' | 'mistral' | 'qwen2' | 'qwen3' | 'generic';

/** What a tensor is, relative to the model's structure. */
export type TensorRole =
  | 'embed' | 'final_norm' | 'head'            // global tensors
  | 'attn' | 'norm'                             // per layer: attention projections (incl. q/k norms), layer norms
  | 'router' | 'router_bias'                    // per MoE layer: router weight [E,H]; router / correction bias [E]
  | 'expert'                                    // a routed expert's matrix (or the fused [E,...] tensor)
  | 'shared_expert' | 'shared_expert_gate'      // shared experts and their sigmoid gate
  | 'dense_mlp'                                 // a dense layer's MLP
  | 'mtp'                                       // DeepSeek multi-token-prediction layer tensors
  | 'other';                                    // anything else (kept as is)

/** The matrix of an expert or MLP (SwiGLU: gate, up, down; fused gate+up). */
export type MatrixKind = 'gate' | 'up' | 'down' | 'gate_up' | 'gate_up_bias' | 'down_bias' | 'gate_bias' | 'up_bias';

export interface TensorClass {
  role: TensorRole;
  /** Decoder layer index, for per-layer tensors (MTP layers keep their on-disk index). */
  layer?: number;
  /** Routed expert index (per-expert layout only; fused tensors hold every expert). */
  expert?: number;
  matrix?: MatrixKind;
  /** True when the tensor stacks all experts on axis 0 ([E, ...]). */
  fused?: boolean;
  /** The name relative to the layer prefix (per-layer tensors only), e.g. `self_attn.o_proj.weight`. */
  relative?: string;
  /** A quantisation companion of the table name (`_scale_inv`, `_scale`, `_blocks`, `_scales`): same role, same owner. */
  companion?: string;
}

/** How routed experts are stored on disk. */
export type ExpertLayout =
  | 'per-expert'        // one tensor per expert and matrix ({e} in the name)
  | 'fused-gpt-oss'     // gate_up_proj [E, H, 2I] with gate/up interleaved on the last axis, down_proj [E, I, H]
  | 'fused-hf5';        // gate_up_proj [E, 2I, H] (gate rows then up rows), down_proj [E, H, I]

export interface MoeSpec {
  /** Config keys. */
  expertCountKey: string;
  topKKey: string;
  normTopKKey?: string;
  /** Value of `normTopKKey` when the config omits it (the family's transformers default). */
  normTopKDefault?: boolean;
  /** Routing score function: softmax over experts, or sigmoid (DeepSeek v3). */
  scoring: 'softmax' | 'sigmoid';
  /** Config key that overrides `scoring` (DeepSeek `scoring_func`). */
  scoringKey?: string;
  /** Config key of one routed expert's intermediate width. */
  expertIntermediateKey: string;
  expertLayout: ExpertLayout;
  /** Prefix (relative to the layer) under which the whole sparse block lives, e.g. `block_sparse_moe.`. */
  blockPrefix: string;
  /** Name templates relative to the layer prefix. */
  router: string;
  routerBias?: string[];
  /** Per-expert layout: `{e}` templates per matrix. Fused layouts: one template per fused tensor (no `{e}`). */
  experts: Partial<Record<MatrixKind, string>>;
  /** Shared experts (always on): templates per matrix, relative to the layer prefix. */
  sharedExpert?: Partial<Record<MatrixKind, string>>;
  /** Config keys for shared experts: count (DeepSeek) and/or intermediate width (Qwen2-MoE). */
  sharedExpertCountKey?: string;
  sharedIntermediateKey?: string;
  /** Qwen2-MoE's sigmoid gate over the shared expert, [1, H]. */
  sharedExpertGate?: string;
  /** Group-limited routing keys (DeepSeek). */
  groupKeys?: { nGroup: string; topkGroup: string };
}

/** The attention block's tensors (under `attnPrefix`); shapes come from the standard Hugging Face keys. */
export interface AttentionSpec {
  /** `gqa`: q/k/v/o projections; `mla`: DeepSeek multi-head latent attention (q_a/q_b or q, kv_a, kv_b, o). */
  kind: 'gqa' | 'mla';
  qkvBias: boolean;
  outBias: boolean;
  /** q/k norms: per head (Qwen3) or over the whole projection (OLMoE). */
  qkNorm?: 'head' | 'full';
  /** GPT-OSS attention sinks, one per head. */
  sinks?: boolean;
}

/** Which layers of an MoE family are dense (plain MLP) rather than sparse. */
export type DenseLayerRule =
  /** Every layer is MoE. */
  | { kind: 'none' }
  /** DeepSeek: layer i is MoE iff i >= config[firstDenseKey] and i % config[freqKey] == 0. */
  | { kind: 'first-k'; firstDenseKey: string; freqKey: string }
  /** Qwen2/3-MoE: layer i is MoE iff i not in config[onlyMlpKey] and (i + 1) % config[stepKey] == 0. */
  | { kind: 'sparse-step'; stepKey: string; onlyMlpKey: string };

/** DeepSeek multi-token-prediction layers, stored after the decoder layers (index num_hidden_layers, ...). */
export interface MtpSpec {
  countKey: string;
  /** Names relative to the layer prefix that only an MTP layer has, with their shapes (H hidden, V vocab). */
  markers: { name: string; shape: ('H' | '2H' | 'V')[] }[];
}

export interface FamilyTable {
  id: FamilyId;
  /** Human-readable name. */
  label: string;
  /** config.json `model_type` values and `architectures` entries that select this family. */
  modelTypes: string[];
  architectures: string[];
  /** Prefix of a decoder layer's tensors; `{i}` is the layer index. */
  layerPrefix: string;
  layerCountKey: string;
  hiddenSizeKey: string;
  /** Global tensor names. `head` is absent on disk when embeddings are tied. */
  embed: string;
  finalNorm: string;
  head: string;
  tieKey: string;
  /** Value of `tieKey` when the config omits it. */
  tieDefault: boolean;
  /** Attention tensors live under this prefix (relative to the layer), q/k norms included. */
  attnPrefix: string;
  /** Attention output projection (zeroed by LLaMA-Pro), relative to the layer prefix; and its bias when present. */
  attnOutProj: string;
  attnOutBias?: string;
  attention: AttentionSpec;
  /** Layer norms relative to the layer prefix. */
  norms: string[];
  /** Dense MLP templates relative to the layer prefix (dense families, and dense layers of MoE families). */
  denseMlp?: Partial<Record<MatrixKind, string>>;
  /** Config key of the dense MLP's intermediate width. */
  denseIntermediateKey?: string;
  moe?: MoeSpec;
  /** MoE families: which layers are dense. */
  denseLayers?: DenseLayerRule;
  mtp?: MtpSpec;
  /** Config keys that change with depth (METHOD.md §6): lists indexed by layer, sets of layer indices, thresholds. */
  depthKeys: { perLayerLists: string[]; layerIndexSets: string[]; thresholds: string[] };
  /** For dense families: the MoE family that sparse upcycling converts to. */
  upcycleTo?: FamilyId;
  /** For derived tables (the transformers>=5 fused layout, generic): the family whose config keys it uses. */
  baseFamily?: FamilyId;
}
