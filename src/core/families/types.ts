// The contract for model families: one table per family (METHOD.md §6) is the single source of truth for
// tensor names and config keys. Growth, statistics, the tree and training read names only through these types.

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
  /** Decoder layer index, for per-layer tensors. */
  layer?: number;
  /** Routed expert index (per-expert layout only; fused tensors hold every expert). */
  expert?: number;
  matrix?: MatrixKind;
  /** True when the tensor stacks all experts on axis 0 ([E, ...]). */
  fused?: boolean;
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
  /** Routing score function: softmax over experts, or sigmoid (DeepSeek v3). */
  scoring: 'softmax' | 'sigmoid';
  expertLayout: ExpertLayout;
  /** Name templates relative to the layer prefix; `{e}` is the expert index. */
  router: string;
  routerBias?: string[];
  /** Per-expert layout: `{e}` templates per matrix. Fused layouts: one template per fused tensor. */
  experts: Partial<Record<MatrixKind, string>>;
  sharedExpertPrefix?: string;
  sharedExpertGate?: string;
  /** Group-limited routing keys (DeepSeek). */
  groupKeys?: { nGroup: string; topkGroup: string };
}

export interface FamilyTable {
  id: FamilyId;
  /** config.json `model_type` values and `architectures` entries that select this family. */
  modelTypes: string[];
  architectures: string[];
  /** Prefix of a decoder layer's tensors; `{i}` is the layer index. */
  layerPrefix: string;
  layerCountKey: string;
  /** Global tensor names. `head` is absent when embeddings are tied. */
  embed: string;
  finalNorm: string;
  head: string;
  /** Dense MLP templates relative to the layer prefix (dense families, and dense layers of MoE families). */
  denseMlp?: Partial<Record<MatrixKind, string>>;
  /** Attention output projection (zeroed by LLaMA-Pro), relative to the layer prefix. */
  attnOutProj: string;
  moe?: MoeSpec;
  /** For dense families: the MoE family that sparse upcycling converts to. */
  upcycleTo?: FamilyId;
}
