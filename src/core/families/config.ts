// Reading a family's keys from config.json: layer count, hidden size, tied embeddings, routing, MoE layers.
// Every missing or malformed key is a FamilyError naming the file and key.
import { FamilyError } from '../errors';
import type { FamilyTable } from './types';

export type Config = Record<string, unknown>;

export interface MoeConfig {
  numExperts: number;
  topK: number;
  /** Top-k weights renormalised to sum 1 (undefined when the family has no such notion). */
  normTopK?: boolean;
  scoring: 'softmax' | 'sigmoid';
  nGroup?: number;
  topkGroup?: number;
  /** Shared experts per MoE layer (0 when the family has none). */
  numSharedExperts: number;
  /** One routed expert's intermediate width, when the config gives it. */
  expertIntermediate?: number;
}

function bad(file: string | undefined, key: string, rule: string): FamilyError {
  return new FamilyError('config', `config.json: "${key}" ${rule}`, { file, key, rule });
}

/** A positive integer key; `optional` returns undefined when the key is absent or null. */
export function readInt(config: Config | null, key: string, file?: string, opts: { optional?: boolean; min?: number } = {}): number | undefined {
  const v = config?.[key];
  if (v === undefined || v === null) {
    if (opts.optional) return undefined;
    throw bad(file, key, config ? 'is missing' : 'is needed but there is no config.json');
  }
  const min = opts.min ?? 1;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw bad(file, key, `must be an integer >= ${min}, got ${JSON.stringify(v)}`);
  return v;
}

export function readNumLayers(t: FamilyTable, config: Config | null, file?: string): number {
  return readInt(config, t.layerCountKey, file)!;
}

export function readHiddenSize(t: FamilyTable, config: Config | null, file?: string): number | undefined {
  return readInt(config, t.hiddenSizeKey, file, { optional: true });
}

/** Whether the LM head shares the embedding matrix, per config (the tree also checks the head tensor is absent). */
export function readTied(t: FamilyTable, config: Config | null): boolean {
  const v = config?.[t.tieKey];
  return typeof v === 'boolean' ? v : t.tieDefault;
}

/** Routing settings of an MoE family, or null for a dense one. */
export function readMoeConfig(t: FamilyTable, config: Config | null, file?: string): MoeConfig | null {
  const m = t.moe;
  if (!m) return null;
  const numExperts = readInt(config, m.expertCountKey, file)!;
  const topK = readInt(config, m.topKKey, file)!;
  if (topK > numExperts) throw bad(file, m.topKKey, `(${topK}) must not exceed ${m.expertCountKey} (${numExperts})`);
  const out: MoeConfig = { numExperts, topK, scoring: m.scoring, numSharedExperts: 0 };
  if (m.normTopKKey && config?.[m.normTopKKey] !== undefined && config[m.normTopKKey] !== null) {
    const v = config[m.normTopKKey];
    if (typeof v !== 'boolean') throw bad(file, m.normTopKKey, `must be true or false, got ${JSON.stringify(v)}`);
    out.normTopK = v;
  } else if (m.normTopKDefault !== undefined) {
    out.normTopK = m.normTopKDefault;
  }
  if (m.scoringKey && config?.[m.scoringKey] !== undefined) {
    const v = config[m.scoringKey];
    if (v !== 'softmax' && v !== 'sigmoid') throw bad(file, m.scoringKey, `must be "softmax" or "sigmoid", got ${JSON.stringify(v)}`);
    out.scoring = v;
  }
  if (m.groupKeys) {
    const nGroup = readInt(config, m.groupKeys.nGroup, file, { optional: true });
    const topkGroup = readInt(config, m.groupKeys.topkGroup, file, { optional: true });
    if (nGroup !== undefined) {
      if (numExperts % nGroup !== 0) throw bad(file, m.groupKeys.nGroup, `(${nGroup}) must divide ${m.expertCountKey} (${numExperts})`);
      out.nGroup = nGroup;
    }
    if (topkGroup !== undefined) {
      if (nGroup !== undefined && topkGroup > nGroup) throw bad(file, m.groupKeys.topkGroup, `(${topkGroup}) must not exceed ${m.groupKeys.nGroup} (${nGroup})`);
      out.topkGroup = topkGroup;
    }
  }
  if (m.sharedExpert) {
    out.numSharedExperts = m.sharedExpertCountKey
      ? readInt(config, m.sharedExpertCountKey, file, { optional: true, min: 0 }) ?? 1
      : 1;
  }
  const inter = readInt(config, m.expertIntermediateKey, file, { optional: true });
  if (inter !== undefined) out.expertIntermediate = inter;
  return out;
}

/** Indices of the sparse (MoE) layers among `numLayers` decoder layers; empty for a dense family. */
export function moeLayerIndices(t: FamilyTable, config: Config | null, numLayers: number, file?: string): number[] {
  if (!t.moe) return [];
  const all = Array.from({ length: numLayers }, (_, i) => i);
  // transformers >= 5 may spell the choice out per layer.
  const types = config?.mlp_layer_types;
  if (Array.isArray(types)) {
    if (types.length !== numLayers) throw bad(file, 'mlp_layer_types', `has ${types.length} entries for ${numLayers} layers`);
    return all.filter((i) => types[i] === 'sparse' || types[i] === 'moe');
  }
  const rule = t.denseLayers ?? { kind: 'none' };
  switch (rule.kind) {
    case 'none':
      return all;
    case 'first-k': {
      const k = readInt(config, rule.firstDenseKey, file, { optional: true, min: 0 }) ?? 0;
      const freq = readInt(config, rule.freqKey, file, { optional: true }) ?? 1;
      return all.filter((i) => i >= k && i % freq === 0);
    }
    case 'sparse-step': {
      const step = readInt(config, rule.stepKey, file, { optional: true, min: 0 }) ?? 1;
      const only = config?.[rule.onlyMlpKey] ?? [];
      if (!Array.isArray(only) || only.some((x) => !Number.isInteger(x))) throw bad(file, rule.onlyMlpKey, 'must be a list of layer indices');
      if (step === 0) return [];
      return all.filter((i) => !only.includes(i) && (i + 1) % step === 0);
    }
  }
}
