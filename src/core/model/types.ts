// The model tree: plain, JSON-serialisable data (the extension posts it to a webview and a tree view as is).
import type { ExpertLayout, FamilyId } from '../families/types';
import type { DType } from '../safetensors/types';

export type NodeKind =
  | 'model' | 'embeddings' | 'layers' | 'layer' | 'attention' | 'norms' | 'router' | 'experts' | 'expert'
  | 'shared_experts' | 'mlp' | 'final_norm' | 'head' | 'mtp' | 'mtp_layer' | 'other';

/** One expert's share of a fused [E, ...] tensor: index `index` along axis 0. */
export interface TensorSlice {
  tensor: string;
  axis: 0;
  index: number;
}

export interface TreeNode {
  /** Stable path, e.g. `layers.3.experts.5`. */
  id: string;
  label: string;
  kind: NodeKind;
  children: TreeNode[];
  /** Names of the tensors held directly by this node. */
  tensors: string[];
  /** Fused layouts: a virtual expert node views slices of its parent's fused tensors instead of holding tensors. */
  slices?: TensorSlice[];
  /** True for virtual per-expert nodes; their parameters and bytes are already counted by the parent. */
  virtual?: boolean;
  /** Parameters and bytes of this node's tensors and its non-virtual descendants. */
  params: number;
  bytes: number;
  dtypes: DType[];
  layer?: number;
  expert?: number;
  /** In a growth preview: where a new layer or expert comes from (absent for originals and for real checkpoints). */
  origin?: NodeOrigin;
}

/** How a node of a grown model came to be (src/core/edits/growthPreview.ts marks them). */
export interface NodeOrigin {
  /** copied: bit for bit; zeroed: a copy with output projections zeroed (identity at start); noised: a copy plus noise. */
  change: 'copied' | 'zeroed' | 'noised';
  /** The source layer the node comes from. */
  sourceLayer?: number;
  /** For experts: the source expert (upcycling: the dense MLP, shown as `mlp`). */
  sourceExpert?: number | 'mlp';
  /** One line for the user, e.g. "copy of layer 1" or "copy of expert 3 + noise". */
  text: string;
}

export interface LayerSummary {
  index: number;
  kind: 'moe' | 'dense' | 'unknown';
  params: number;
  bytes: number;
  attentionParams: number;
  /** Routed experts found (MoE layers). */
  experts?: number;
  /** Parameters of one routed expert (the mean over the layer's experts). */
  expertParams?: number;
  sharedExpertParams?: number;
  routerParams?: number;
  dtypes: DType[];
}

export interface ActiveParams {
  /** N_active (METHOD.md §5): every non-expert parameter + top-k × one expert per MoE layer (+ shared experts). */
  withEmbeddings: number;
  /** The same without the input embedding matrix and the LM head. */
  withoutEmbeddings: number;
  /** What `withEmbeddings` counts beyond `withoutEmbeddings`, in words. */
  embeddingsCounted: string;
}

export interface ModelTree {
  root: TreeNode;
  source: { root: string; kind: 'file' | 'index' | 'folder'; files: number; hasConfig: boolean };
  family: FamilyId;
  familyLabel: string;
  baseFamily?: FamilyId;
  confidence: 'config' | 'names' | 'generic';
  /** Detection and counting notes for the user (ambiguity, fallbacks, what was assumed). */
  notes: string[];
  numLayers: number;
  moeLayers: number[];
  /** DeepSeek multi-token-prediction layers (index >= numLayers); not counted as active. */
  mtpLayers: number[];
  numExperts?: number;
  topK?: number;
  numSharedExperts?: number;
  scoring?: 'softmax' | 'sigmoid';
  normTopK?: boolean;
  nGroup?: number;
  topkGroup?: number;
  expertLayout?: ExpertLayout;
  hiddenSize?: number;
  tiedEmbeddings: boolean;
  layers: LayerSummary[];
  totals: {
    params: number;
    bytes: number;
    tensors: number;
    dtypes: DType[];
    embeddingParams: number;
    headParams: number;
    /** All routed-expert parameters (every expert of every MoE layer). */
    expertParams: number;
    /** null when top-k is unknown (no config.json). */
    active: ActiveParams | null;
  };
}
