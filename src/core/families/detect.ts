// Which family a checkpoint belongs to: config.json's model_type, then its architectures, then the tensor names
// (a folder without config.json), then any numbered-layer layout as the generic family.
import { FamilyError } from '../errors';
import { splitLayerPrefix } from './classify';
import { deepseekV2, deepseekV3 } from './deepseek';
import { llama, qwen2, qwen3 } from './dense';
import { findGenericLayerPrefix, genericTable } from './generic';
import { gptOss } from './gptOss';
import { fusedHf5Variant } from './hf5Fused';
import { mixtral } from './mixtral';
import { olmoe } from './olmoe';
import { qwen2Moe } from './qwen2Moe';
import { qwen3Moe } from './qwen3Moe';
import { familyForArchitecture, familyForModelType } from './registry';
import type { FamilyTable } from './types';

export interface Detection {
  family: FamilyTable;
  /** Why this family, when it is not simply config.json's model_type (ambiguity, fallback, derived layout). */
  note?: string;
  confidence: 'config' | 'names' | 'generic';
}

/** Tensor names, or a name -> {shape} map (shapes settle OLMoE vs Qwen3-MoE when config.json is missing). */
export type TensorNames = Iterable<string> | ReadonlyMap<string, { shape: readonly number[] }>;

const FUSED_RE = /^(.*\.)?experts\.gate_up_proj$/;

interface Layout {
  rels: Set<string>;
  shapes?: ReadonlyMap<string, { shape: readonly number[] }>;
  /** Full name of a tensor at the first layer that has `rel`. */
  full: (rel: string) => string | undefined;
}

// Names of the Llama-style layer prefix, relative, from every layer (a layer may be dense, another sparse).
function layout(names: string[], shapes?: ReadonlyMap<string, { shape: readonly number[] }>): Layout {
  const rels = new Set<string>();
  const first = new Map<string, string>();
  for (const n of names) {
    const m = splitLayerPrefix(llama, n);
    if (!m || rels.has(m[1])) continue;
    rels.add(m[1]);
    first.set(m[1], n);
  }
  return { rels, shapes, full: (rel) => first.get(rel) };
}

function hasMatch(rels: Set<string>, re: RegExp): boolean {
  for (const r of rels) if (re.test(r)) return true;
  return false;
}

// OLMoE's q_norm spans the whole q projection; Qwen3's spans one head.
function qNormIsFullWidth(l: Layout): boolean | undefined {
  const qn = l.full('self_attn.q_norm.weight');
  const qp = l.full('self_attn.q_proj.weight');
  if (!l.shapes || !qn || !qp) return undefined;
  const a = l.shapes.get(qn)?.shape;
  const b = l.shapes.get(qp)?.shape;
  if (!a || !b) return undefined;
  return a[0] === b[0];
}

/** The per-expert MoE family whose names these are (also the base of a fused hf5 layout); null if not MoE-shaped. */
function moeByNames(l: Layout, fused: boolean): { family: FamilyTable; ambiguous?: string } | null {
  const { rels } = l;
  if (!fused && !hasMatch(rels, /(^|\.)experts\.\d+\./)) return null;
  if (hasMatch(rels, /^block_sparse_moe\./)) return { family: mixtral };
  if (rels.has('mlp.shared_expert_gate.weight')) return { family: qwen2Moe };
  if (hasMatch(rels, /^mlp\.shared_experts\./)) {
    return { family: rels.has('mlp.gate.e_score_correction_bias') ? deepseekV3 : deepseekV2 };
  }
  if (rels.has('self_attn.q_norm.weight')) {
    const full = qNormIsFullWidth(l);
    if (full === true) return { family: olmoe };
    if (full === false) return { family: qwen3Moe };
    return { family: qwen3Moe, ambiguous: 'OLMoE has the same tensor names (shapes were not available to tell them apart)' };
  }
  if (fused) return { family: mixtral, ambiguous: 'fused experts without q/k norms or shared experts: Mixtral keys assumed' };
  if (rels.has('self_attn.q_proj.bias')) return { family: qwen2Moe, ambiguous: 'Qwen2-MoE names without a shared expert' };
  return { family: qwen3Moe, ambiguous: 'per-expert `mlp.experts.{e}` names fit several families: Qwen3-MoE keys assumed' };
}

const FUSED_SUFFIX = 'experts.gate_up_proj';

/** The block prefix of the first fused `experts.gate_up_proj` under a Llama-style layer prefix (in name order). */
function fusedBlockPrefix(names: readonly string[]): string | undefined {
  for (const n of names) {
    // The last character first: almost every name ends in `weight` or `bias`, and this runs over every name.
    if (n.charCodeAt(n.length - 1) !== 106 /* j */ || !n.endsWith(FUSED_SUFFIX)) continue;
    const m = splitLayerPrefix(llama, n);
    const f = m && FUSED_RE.exec(m[1]);
    if (f) return f[1] ?? '';
  }
  return undefined;
}

function byNames(l: Layout, names: readonly string[]): { family: FamilyTable; ambiguous?: string } | null {
  const { rels } = l;
  if (rels.has('mlp.router.weight') || rels.has('mlp.experts.gate_up_proj_bias') || rels.has('mlp.experts.gate_up_proj_blocks')) {
    return { family: gptOss };
  }
  const fusedPrefix = fusedBlockPrefix(names);
  if (fusedPrefix !== undefined) {
    const base = moeByNames(l, true)!;
    return { family: fusedHf5Variant(base.family, fusedPrefix), ambiguous: base.ambiguous };
  }
  const moe = moeByNames(l, false);
  if (moe) return moe;
  if (rels.has('mlp.gate_proj.weight')) {
    if (rels.has('self_attn.q_norm.weight')) return { family: qwen3 };
    if (rels.has('self_attn.q_proj.bias')) return { family: qwen2 };
    return { family: llama, ambiguous: 'Mistral has the same tensor names: Llama keys assumed' };
  }
  return null;
}

function tableMatches(t: FamilyTable, names: string[]): boolean {
  if (names.length === 0) return true;
  return names.some((n) => splitLayerPrefix(t, n) !== null || n === t.embed);
}

/** A map's keys as an array (forEach: spreading `keys()` allocates an iterator result per key). */
function keysOf(m: ReadonlyMap<string, unknown>): string[] {
  const out = new Array<string>(m.size);
  let i = 0;
  m.forEach((_, k) => {
    out[i++] = k;
  });
  return out;
}

const GENERIC_LAYER_KEYS = ['num_hidden_layers', 'n_layer', 'num_layers', 'n_layers'];

export function detectFamily(config: Record<string, unknown> | null, tensors: TensorNames): Detection {
  const shapes = tensors instanceof Map ? (tensors as ReadonlyMap<string, { shape: readonly number[] }>) : undefined;
  const names = shapes ? keysOf(shapes) : [...(tensors as Iterable<string>)];
  const notes: string[] = [];

  const modelType = typeof config?.model_type === 'string' ? config.model_type : undefined;
  const archs = Array.isArray(config?.architectures) ? (config.architectures as unknown[]).filter((a): a is string => typeof a === 'string') : [];
  let fromConfig = modelType ? familyForModelType(modelType) : undefined;
  if (!fromConfig) {
    for (const a of archs) fromConfig = fromConfig ?? familyForArchitecture(a);
    if (fromConfig && modelType) notes.push(`model_type "${modelType}" is unknown; architectures name ${fromConfig.label}`);
  }
  if (fromConfig) {
    if (fromConfig.moe?.expertLayout === 'per-expert') {
      const prefix = fusedBlockPrefix(names);
      if (prefix !== undefined) {
        return {
          family: fusedHf5Variant(fromConfig, prefix),
          note: [...notes, `experts stored fused (transformers >= 5 layout), ${fromConfig.label} config keys`].join('; '),
          confidence: 'config',
        };
      }
    }
    if (tableMatches(fromConfig, names)) return { family: fromConfig, confidence: 'config', ...(notes.length ? { note: notes.join('; ') } : {}) };
    notes.push(`config.json says ${fromConfig.label} but the tensor names do not follow its table`);
  } else if (modelType || archs.length) {
    notes.push(`model_type ${JSON.stringify(modelType ?? null)} / architectures [${archs.join(', ')}] is not a known family`);
  } else {
    notes.push(config ? 'config.json has no model_type' : 'no config.json');
  }

  const guess = byNames(layout(names, shapes), names);
  if (guess) {
    notes.push(`detected ${guess.family.label} from tensor names`);
    if (guess.ambiguous) notes.push(guess.ambiguous);
    return { family: guess.family, note: notes.join('; '), confidence: 'names' };
  }

  const prefix = findGenericLayerPrefix(names);
  if (prefix) {
    const countKey = GENERIC_LAYER_KEYS.find((k) => typeof config?.[k] === 'number') ?? 'num_hidden_layers';
    notes.push(`no family table fits: opened as generic layers "${prefix}"; roles are guessed from names and width growth is unavailable`);
    return { family: genericTable(prefix, countKey), note: notes.join('; '), confidence: 'generic' };
  }
  throw new FamilyError('family', `cannot tell the model family: ${notes.join('; ')}, and no tensor name has numbered layers (*.layers.N.*, *.h.N.*, *.blocks.N.*)`, {
    key: 'model_type',
    rule: 'unknown family',
  });
}
