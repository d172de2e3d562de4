// Plain JSON data for tensor statistics and the norm profile: what the engine computes, the cache stores, the
// CLI prints and the charts webview draws. No classes, no typed arrays, no Infinity (null instead).

/** Statistics of one tensor (or one expert's slice of a fused tensor). Moments exclude NaN and ±Inf. */
export interface TensorStatistics {
  /** Elements in the tensor (finite + NaN + Inf). */
  numel: number;
  /** Finite elements (the moments are over these). */
  count: number;
  mean: number | null;
  /** Population standard deviation (divides by count). */
  std: number | null;
  /** ‖W‖_F / √count: the root mean square of the finite entries. */
  rms: number | null;
  /** Frobenius norm of the finite entries. */
  fro: number | null;
  min: number | null;
  max: number | null;
  absmax: number | null;
  nanCount: number;
  infCount: number;
}

/** One tensor's statistics as computed for a checkpoint. */
export interface TensorStatsEntry {
  name: string;
  dtype: string;
  shape: number[];
  /** The .safetensors file it was read from. */
  file: string;
  stats: TensorStatistics;
  /** Fused expert tensors: statistics of each contiguous slice along axis 0 (one per expert, or two per expert
   *  when gate and up are stacked as row blocks). Absent for ordinary tensors. */
  slices?: TensorStatistics[];
}

export type ProfileKind = 'experts' | 'attention' | 'router' | 'norms' | 'shared';
export const PROFILE_KINDS: readonly ProfileKind[] = ['experts', 'attention', 'router', 'norms', 'shared'];

/** One decoder layer of the profile: per kind, the mean RMS of that kind's tensors (null when the layer has none). */
export interface ProfileLayer {
  layer: number;
  values: Record<ProfileKind, number | null>;
  /** Routed experts only: each expert's mean RMS over its matrices (gate/up/down), by expert index. */
  perExpert?: (number | null)[];
  /** How many tensors (or expert slices) were averaged for each kind. */
  counts: Record<ProfileKind, number>;
}

/** The paper's Figure 2 profile of one checkpoint. */
export interface NormProfile {
  /** The checkpoint (folder or file) it describes. */
  source: string;
  family: string;
  layers: ProfileLayer[];
  /** Which provider computed the statistics ('cache' entries keep the provider that first computed them). */
  provider: string;
  fallbackReason?: string;
  /** Human-readable notes (family detection, layouts measured jointly, tensors skipped). */
  notes: string[];
}
