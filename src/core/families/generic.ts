// The fallback for checkpoints no table knows: anything with numbered layers (`*.layers.{i}.*`, `*.h.{i}.*`,
// `*.blocks.{i}.*`). Roles come from name heuristics (classify.ts); growth by depth still works, width does not.
import { DEPTH_KEYS_DEFAULT } from './common';
import type { FamilyTable } from './types';

const LAYER_RE = /^(.*?(?:^|\.)(?:layers|h|blocks))\.(\d+)\./;

/** The layer prefix template (`transformer.h.{i}.`) of the first numbered-layer name, or null. */
export function findGenericLayerPrefix(names: Iterable<string>): string | null {
  for (const n of names) {
    const m = LAYER_RE.exec(n);
    if (m) return `${m[1]}.{i}.`;
  }
  return null;
}

export function genericTable(layerPrefix: string, layerCountKey = 'num_hidden_layers'): FamilyTable {
  return {
    id: 'generic',
    label: 'generic (numbered layers)',
    modelTypes: [],
    architectures: [],
    layerPrefix,
    layerCountKey,
    hiddenSizeKey: 'hidden_size',
    embed: '',
    finalNorm: '',
    head: '',
    tieKey: 'tie_word_embeddings',
    tieDefault: false,
    attnPrefix: '',
    attnOutProj: '',
    attention: { kind: 'gqa', qkvBias: false, outBias: false },
    norms: [],
    depthKeys: DEPTH_KEYS_DEFAULT,
  };
}
