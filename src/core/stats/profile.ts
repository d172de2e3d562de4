// The norm profile (METHOD.md §4, the paper's Figure 2): per decoder layer, the mean over experts and their
// matrices of RMS(W) = ‖W‖_F/√numel; the same statistic for attention, router, norms and shared experts.
// Pure: it reads names only through the family table and statistics only through plain records.
import { classifyTensor, type FamilyTable, type MatrixKind, type TensorClass } from '../families/index';
import type { TensorRef } from '../safetensors/types';
import { PROFILE_KINDS, type NormProfile, type ProfileKind, type ProfileLayer, type TensorStatsEntry } from './types';

const EXPERT_MATRICES: ReadonlySet<MatrixKind> = new Set(['gate', 'up', 'down', 'gate_up']);

/**
 * How many equal contiguous axis-0 slices of a tensor the profile needs: one per expert for fused expert tensors
 * ([E, ...]); two per expert for transformers-5 `gate_up_proj` [E, 2I, H] (gate rows, then up rows). GPT-OSS
 * interleaves gate and up on the last axis, so its per-expert slice measures both together.
 */
export function profileSlices(family: FamilyTable, ref: Pick<TensorRef, 'name' | 'shape'>, numLayers?: number): number {
  const c = classifyTensor(family, ref.name, { numLayers });
  if (c.role !== 'expert' || !c.fused || c.companion || ref.shape.length < 2) return 1;
  const E = ref.shape[0];
  if (c.matrix === 'gate_up' && family.moe?.expertLayout === 'fused-hf5') return 2 * E;
  return E;
}

interface Acc {
  sum: number;
  n: number;
}

const mean = (a: Acc | undefined): number | null => (a && a.n ? a.sum / a.n : null);

function kindOf(c: TensorClass, shape: readonly number[]): ProfileKind | undefined {
  if (c.companion) return undefined;
  switch (c.role) {
    case 'expert': return c.matrix && EXPERT_MATRICES.has(c.matrix) ? 'experts' : undefined;
    case 'attn': return shape.length >= 2 ? 'attention' : /norm/.test(c.relative ?? '') ? 'norms' : undefined;
    case 'norm': return 'norms';
    case 'router': return 'router';
    case 'shared_expert': return shape.length >= 2 ? 'shared' : undefined;
    default: return undefined;
  }
}

export interface ProfileInput {
  source: string;
  family: FamilyTable;
  numLayers?: number;
  tensors: readonly TensorStatsEntry[];
  provider: string;
  fallbackReason?: string;
  notes?: string[];
}

export function buildNormProfile(input: ProfileInput): NormProfile {
  const { family, numLayers } = input;
  const notes = [...(input.notes ?? [])];
  const kinds = new Map<number, Map<ProfileKind, Acc>>();
  const experts = new Map<number, Map<number, Acc>>();
  const add = <K>(m: Map<K, Acc>, k: K, v: number) => {
    const a = m.get(k) ?? { sum: 0, n: 0 };
    a.sum += v;
    a.n++;
    m.set(k, a);
  };
  let jointGateUp = false;
  for (const t of input.tensors) {
    const c = classifyTensor(family, t.name, { numLayers });
    if (c.layer === undefined || c.role === 'mtp') continue;
    const kind = kindOf(c, t.shape);
    if (!kind) continue;
    const layerKinds = kinds.get(c.layer) ?? new Map<ProfileKind, Acc>();
    kinds.set(c.layer, layerKinds);
    if (kind === 'experts' && c.fused) {
      const slices = t.slices ?? [];
      const E = t.shape[0];
      const perExpert = slices.length === 2 * E ? 2 : 1;
      if (slices.length !== E * perExpert) {
        notes.push(`${t.name}: no per-expert slices, measured as one tensor`);
        if (t.stats.rms !== null) add(layerKinds, kind, t.stats.rms);
        continue;
      }
      if (c.matrix === 'gate_up' && perExpert === 1) jointGateUp = true;
      const ex = experts.get(c.layer) ?? new Map<number, Acc>();
      experts.set(c.layer, ex);
      slices.forEach((s, i) => {
        if (s.rms === null) return;
        add(layerKinds, kind, s.rms);
        add(ex, Math.floor(i / perExpert), s.rms);
      });
      continue;
    }
    if (t.stats.rms === null) continue;
    add(layerKinds, kind, t.stats.rms);
    if (kind === 'experts' && c.expert !== undefined) {
      const ex = experts.get(c.layer) ?? new Map<number, Acc>();
      experts.set(c.layer, ex);
      add(ex, c.expert, t.stats.rms);
    }
  }
  if (jointGateUp) notes.push('fused gate_up with gate and up interleaved: each expert\'s gate and up are measured together');
  const layers: ProfileLayer[] = [...kinds.keys()].sort((a, b) => a - b).map((layer) => {
    const k = kinds.get(layer)!;
    const values = Object.fromEntries(PROFILE_KINDS.map((kind) => [kind, mean(k.get(kind))])) as Record<ProfileKind, number | null>;
    const counts = Object.fromEntries(PROFILE_KINDS.map((kind) => [kind, k.get(kind)?.n ?? 0])) as Record<ProfileKind, number>;
    const row: ProfileLayer = { layer, values, counts };
    const ex = experts.get(layer);
    if (ex && ex.size) {
      const maxE = Math.max(...ex.keys());
      row.perExpert = Array.from({ length: maxE + 1 }, (_, e) => mean(ex.get(e)));
    }
    return row;
  });
  return {
    source: input.source, family: family.id, layers, provider: input.provider,
    ...(input.fallbackReason ? { fallbackReason: input.fallbackReason } : {}), notes,
  };
}
