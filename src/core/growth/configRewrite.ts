// config.json rewriting (METHOD.md §6). Source key order and every key we do not own are kept as written (torch_dtype
// included); a key that changes with depth and cannot be rewritten safely is a PlanError naming it.
import { PlanError } from '../errors';
import { getFamily, type FamilyTable } from '../families/index';
import type { LayerSlot } from './layerMaps';

export type Config = Record<string, unknown>;
export type Changes = { key: string; from: unknown; to: unknown }[];

function set(c: Config, key: string, value: unknown, changes: Changes): void {
  const from = c[key];
  if (JSON.stringify(from) === JSON.stringify(value)) return;
  c[key] = value;
  changes.push({ key, from, to: value });
}

function bad(key: string, rule: string, file?: string): PlanError {
  return new PlanError('config', `config.json: "${key}" ${rule}`, { key, rule, file });
}

// Numeric keys whose name mentions layers but which do not count or index them.
const LAYER_WORD_SAFE = /(_eps|_epsilon|norm_type|_scale|_dropout)$/;
const LAYER_COUNTS_KEPT = new Set(['num_nextn_predict_layers']);

function intList(c: Config, key: string, file?: string): number[] {
  const v = c[key] ?? [];
  if (!Array.isArray(v) || !v.every((x) => Number.isInteger(x))) throw bad(key, 'must be a list of layer indices', file);
  return v as number[];
}

/**
 * Rewrites the keys that depend on the layer count for a depth map. `moeSrc` is the set of source MoE layers
 * (dense layers of MoE families stay dense wherever their copies land).
 */
export function rewriteDepthConfig(t: FamilyTable, src: Config, slots: LayerSlot[], moeSrc: Set<number>, changes: Changes, file?: string): Config {
  const c: Config = { ...src };
  const n = src[t.layerCountKey] as number;
  const n2 = slots.length;
  const map = slots.map((s) => s.src);
  set(c, t.layerCountKey, n2, changes);
  const handled = new Set<string>([t.layerCountKey]);

  for (const key of t.depthKeys.perLayerLists) {
    handled.add(key);
    if (c[key] === undefined || c[key] === null) continue;
    const v = c[key];
    if (!Array.isArray(v) || v.length !== n) throw bad(key, `must list one entry per layer (${n}), got ${JSON.stringify(v).slice(0, 80)}`, file);
    set(c, key, map.map((j) => v[j]), changes);
  }

  // Which output layers are sparse, then say it in the family's own keys.
  const moeOut = map.map((j) => moeSrc.has(j));
  const rule = t.denseLayers ?? { kind: 'none' as const };
  if (t.moe && rule.kind === 'first-k') {
    handled.add(rule.firstDenseKey).add(rule.freqKey);
    const freq = (c[rule.freqKey] as number | undefined) ?? 1;
    const first = moeOut.indexOf(true) < 0 ? n2 : moeOut.indexOf(true);
    const fits = (k: number, f: number) => moeOut.every((m, i) => m === (i >= k && i % f === 0));
    if (fits(first, freq)) {
      if (c[rule.firstDenseKey] !== undefined || first !== 0) set(c, rule.firstDenseKey, first, changes);
    } else if (fits(first, 1)) {
      set(c, rule.firstDenseKey, first, changes);
      set(c, rule.freqKey, 1, changes);
    } else {
      throw bad(rule.firstDenseKey, `cannot express the grown model's dense layers (${moeOut.map((m, i) => (m ? '' : i)).filter((x) => x !== '').join(', ')}) as the first k layers: use a layer map that keeps dense layers first (interposition does)`, file);
    }
  } else if (t.moe && rule.kind === 'sparse-step') {
    handled.add(rule.stepKey).add(rule.onlyMlpKey);
    const step = (c[rule.stepKey] as number | undefined) ?? 1;
    const hasOnly = c[rule.onlyMlpKey] !== undefined;
    const dense = moeOut.map((m, i) => (m ? -1 : i)).filter((i) => i >= 0);
    const stepFits = step > 0 && moeOut.every((m, i) => !m || (i + 1) % step === 0);
    if (step === 0 || (c[t.moe.expertCountKey] as number) === 0) {
      // No sparse layers at all: nothing to rewrite.
    } else if (stepFits) {
      const only = dense.filter((i) => (i + 1) % step === 0);
      if (hasOnly || only.length) set(c, rule.onlyMlpKey, only, changes);
    } else {
      // The step pattern does not survive the map: step 1 and an explicit list of dense layers says the same thing.
      set(c, rule.stepKey, 1, changes);
      set(c, rule.onlyMlpKey, dense, changes);
    }
  }
  for (const key of t.depthKeys.layerIndexSets) {
    if (handled.has(key)) continue;
    handled.add(key);
    if (c[key] === undefined) continue;
    const old = new Set(intList(c, key, file));
    set(c, key, map.flatMap((j, i) => (old.has(j) ? [i] : [])), changes);
  }
  for (const key of t.depthKeys.thresholds) {
    if (handled.has(key)) continue;
    handled.add(key);
    if (key !== 'max_window_layers') throw bad(key, 'is a layer-count threshold graft does not know how to rewrite', file);
    const v = c[key];
    if (v === undefined || v === null) continue;
    if (!Number.isInteger(v)) throw bad(key, `must be an integer, got ${JSON.stringify(v)}`, file);
    const mwl = v as number;
    // Layers below the threshold use full attention; find the same split in the grown model.
    const full = map.map((j) => j < mwl);
    const cut = full.indexOf(false) < 0 ? n2 : full.indexOf(false);
    const fits = full.every((f, i) => f === i < cut);
    if (fits) {
      if (cut === n2 && mwl >= n2) continue; // still "every layer", as written
      set(c, key, cut, changes);
    } else if (c.use_sliding_window === true && c.sliding_window !== null) {
      throw bad(key, 'cannot express which grown layers use full attention as a prefix (sliding window is on): use an order-preserving layer map', file);
    } else {
      // Sliding window off: the key is inert; keep it but make it cover the whole model.
      set(c, key, n2, changes);
    }
  }
  for (const [key, v] of Object.entries(c)) {
    if (handled.has(key) || !/layer/i.test(key)) continue;
    if (Array.isArray(v) && v.length > 0) throw bad(key, 'looks per-layer and graft does not know how to rewrite it for a new depth', file);
    if (typeof v === 'number' && !LAYER_WORD_SAFE.test(key) && !LAYER_COUNTS_KEPT.has(key)) {
      throw bad(key, 'is a layer count or index graft does not know how to rewrite for a new depth', file);
    }
  }
  return c;
}

/** Expert count ×factor, top-k ×factor (unless kept). */
export function rewriteWidthConfig(t: FamilyTable, src: Config, factor: number, keepTopK: boolean, changes: Changes): Config {
  const c: Config = { ...src };
  const m = t.moe!;
  set(c, m.expertCountKey, (c[m.expertCountKey] as number) * factor, changes);
  if (!keepTopK) set(c, m.topKKey, (c[m.topKKey] as number) * factor, changes);
  return c;
}

/** A dense family's config turned into its MoE counterpart's (llama/mistral → mixtral, qwen2 → qwen2_moe, …). */
export function upcycleConfig(t: FamilyTable, src: Config, experts: number, topK: number, changes: Changes, file?: string): { table: FamilyTable; config: Config } {
  if (!t.upcycleTo) throw new PlanError('plan', `family ${t.label} has no MoE counterpart to upcycle to`, { key: 'model_type', file });
  const target = getFamily(t.upcycleTo);
  const m = target.moe!;
  if (topK > experts) throw new PlanError('plan', `upcycle: topk (${topK}) must not exceed experts (${experts})`, { key: 'topk' });
  const c: Config = { ...src };
  set(c, 'architectures', [target.architectures[0]], changes);
  set(c, 'model_type', target.modelTypes[0], changes);
  const inter = src[t.denseIntermediateKey ?? 'intermediate_size'];
  if (!Number.isInteger(inter)) throw bad(t.denseIntermediateKey ?? 'intermediate_size', 'must be the MLP width (an integer)', file);
  if (m.expertIntermediateKey !== (t.denseIntermediateKey ?? 'intermediate_size')) set(c, m.expertIntermediateKey, inter, changes);
  set(c, m.expertCountKey, experts, changes);
  set(c, m.topKKey, topK, changes);
  // Identical experts reproduce the MLP only if the selected weights sum to 1.
  if (m.normTopKKey) set(c, m.normTopKKey, true, changes);
  // A shared expert of width 0 (and a zero gate) adds nothing: the upcycled model stays the dense one.
  if (m.sharedIntermediateKey) set(c, m.sharedIntermediateKey, 0, changes);
  const rule = target.denseLayers;
  if (rule?.kind === 'sparse-step') {
    set(c, rule.stepKey, 1, changes);
    set(c, rule.onlyMlpKey, [], changes);
  } else if (rule?.kind === 'first-k') {
    set(c, rule.firstDenseKey, 0, changes);
    set(c, rule.freqKey, 1, changes);
  }
  return { table: target, config: c };
}
