// The public entry point the CLI and the extension call: open (or take) a checkpoint, stream its statistics
// through ORT (or the cache), and build the norm profile. Results are plain JSON data.
import { detectFamily, readNumLayers, type FamilyTable } from '../../core/families/index';
import { openCheckpoint, type CheckpointSource } from '../../core/safetensors/index';
import { buildNormProfile, profileSlices } from '../../core/stats/profile';
import type { NormProfile, TensorStatsEntry } from '../../core/stats/types';
import { computeCheckpointStats, type CheckpointStats, type SkippedTensor, type StatsRunOptions } from './checkpointStats';

export interface NormProfileResult {
  profile: NormProfile;
  /** Every tensor's statistics (what `graft norms --json` prints per tensor). */
  tensors: TensorStatsEntry[];
  skipped: SkippedTensor[];
  run: Pick<CheckpointStats, 'provider' | 'fallbackReason' | 'bytesRead' | 'filesFromCache' | 'filesComputed' | 'seconds'>;
}

export interface OpenedModel {
  source: CheckpointSource;
  family: FamilyTable;
  numLayers?: number;
  notes: string[];
}

export async function openForStats(pathOrSource: string | CheckpointSource, signal?: AbortSignal): Promise<OpenedModel> {
  const source = typeof pathOrSource === 'string' ? await openCheckpoint(pathOrSource, { signal }) : pathOrSource;
  const det = detectFamily(source.config, source.tensors);
  let numLayers: number | undefined;
  try {
    numLayers = source.config ? readNumLayers(det.family, source.config) : undefined;
  } catch {
    numLayers = undefined;
  }
  return { source, family: det.family, numLayers, notes: det.note ? [det.note] : [] };
}

export async function computeNormProfile(pathOrSource: string | CheckpointSource, opts: StatsRunOptions = {}): Promise<NormProfileResult> {
  const m = await openForStats(pathOrSource, opts.signal);
  const stats = await computeCheckpointStats(m.source, {
    ...opts,
    slicesFor: opts.slicesFor ?? ((ref) => profileSlices(m.family, ref, m.numLayers)),
  });
  const notes = [...m.notes, ...stats.skipped.map((s) => `skipped ${s.name}: ${s.reason}`)];
  const profile = buildNormProfile({
    source: m.source.root, family: m.family, numLayers: m.numLayers, tensors: stats.tensors,
    provider: stats.provider, fallbackReason: stats.fallbackReason, notes,
  });
  const { provider, fallbackReason, bytesRead, filesFromCache, filesComputed, seconds } = stats;
  return {
    profile, tensors: stats.tensors, skipped: stats.skipped,
    run: { provider, ...(fallbackReason ? { fallbackReason } : {}), bytesRead, filesFromCache, filesComputed, seconds },
  };
}
