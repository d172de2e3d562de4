// A growth plan is data: built from a checkpoint and a recipe without touching tensor bytes, previewed (CLI `graft
// plan`, the extension, the statistics engine's norm-profile preview), then executed by a streaming writer.
// Everything here is JSON-serialisable.
import type { FamilyId } from '../families/index';
import type { DType, TensorRef } from '../safetensors/index';
import type { Recipe } from './recipe';

export type SigmaMode = 'tensor' | 'expert' | 'layer';

/** Gaussian noise added to a source tensor's values (or to a piece of it). */
export interface NoiseSpec {
  alpha: number;
  /** Id into `plan.scales`: the σ this noise is scaled by (std = alpha · σ). */
  scale: string;
  /** σ itself once resolved (`resolveNoiseScales`), else null. */
  sigma: number | null;
  seed: number;
  /** Stream id (hex of the first 8 bytes of sha256 of the output tensor name; see docs/noise.md). */
  stream: string;
}

/** One source range along axis 0 that becomes consecutive rows of the output. */
export interface SlicePiece {
  /** Source rows [start, end) along axis 0. */
  rows: [number, number];
  /** Output rows where this piece lands (its first). Noise element indices count from the output's start. */
  at: number;
  noise?: NoiseSpec;
}

/** How an output tensor's bytes come from its source. */
export type Transform =
  /** Source bytes verbatim. */
  | { op: 'copy' }
  /** All zeros (LLaMA-Pro output projections, an expanded router bias). */
  | { op: 'zero' }
  /** The whole source tensor plus noise. */
  | { op: 'noise'; noise: NoiseSpec }
  /** Rows of the source concatenated along axis 0 (fused experts, routers, router biases), some noised. */
  | { op: 'slice'; pieces: SlicePiece[] }
  /** A new tensor: mean + std · N(0, 1) (std 0: all `mean`). Used for a new router. */
  | { op: 'init'; mean: number; std: number; seed: number; stream: string }
  /**
   * Drop-Upcycling: a fraction of the intermediate channels (rows of gate/up, columns of down) re-drawn from
   * N(mean, std²) of the source matrix (its scale); the other entries copied (plus `noise` when set).
   */
  | { op: 'drop'; axis: 0 | 1; channels: number; count: number; seed: number; channelStream: string; scale: string;
      mean: number | null; std: number | null; stream: string; noise?: NoiseSpec };

export interface PlanTensor {
  name: string;
  dtype: DType;
  shape: number[];
  byteLength: number;
  /** The source tensor (absent for `init`). */
  source: TensorRef | null;
  transform: Transform;
  /** What it is in the grown model (role from the family table, output layer / expert when per-layer). */
  role: string;
  layer?: number;
  expert?: number;
  /** For per-layer tensors: the source layer; for expert tensors: the source expert and copy number (0 = original). */
  sourceLayer?: number;
  sourceExpert?: number;
  copy?: number;
}

/** A σ to compute: the std of the union of some source element ranges (ddof 0: population, 1: sample N−1). */
export interface ScaleSpec {
  mode: SigmaMode | 'router' | 'dense';
  ddof: 0 | 1;
  regions: { tensor: string; start: number; count: number }[];
  std: number | null;
  mean: number | null;
}

export interface ParamCounts {
  params: number;
  /** All non-routed-expert parameters + top-k experts per MoE layer (embeddings and head counted, as in the paper). */
  activeParams: number;
  bytes: number;
}

export interface Verdict {
  preserved: boolean;
  reasons: string[];
}

export interface GrowthPlan {
  schema: 'graft/plan@1';
  recipe: Recipe;
  /** sha256 of the canonical recipe JSON. */
  recipeHash: string;
  source: { root: string; family: FamilyId; numLayers: number; headerSha256: string; files: string[] };
  family: FamilyId;
  /** The output's config.json (source key order kept; changed keys listed in `configChanges`). */
  config: Record<string, unknown>;
  configChanges: { key: string; from: unknown; to: unknown }[];
  /** Output layer j is a copy of source layer layerMap[j]. */
  layerMap: number[];
  /** Output layers whose output projections are zeroed (LLaMA-Pro): each is the identity at start. */
  identityLayers: number[];
  moeLayers: number[];
  experts: { before: number; after: number; topKBefore: number; topKAfter: number } | null;
  sigmaMode: SigmaMode | null;
  tensors: PlanTensor[];
  scales: Record<string, ScaleSpec>;
  before: ParamCounts;
  after: ParamCounts;
  counts: { tensors: number; copied: number; zeroed: number; noised: number; sliced: number; initialised: number; dropped: number };
  functionPreserved: Verdict;
  notes: string[];
}
