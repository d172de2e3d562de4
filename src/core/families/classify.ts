// Tensor name -> role, layer, expert, matrix. A table is compiled once into regular expressions (cached per table).
// Quantisation companions of a matched tensor (DeepSeek FP8 `weight_scale_inv`, GPT-OSS MXFP4 `_blocks`/`_scales`)
// take the role of the tensor they belong to and carry the suffix in `companion`.
import type { FamilyTable, MatrixKind, TensorClass, TensorRole } from './types';

interface Rule {
  re: RegExp;
  role: TensorRole;
  matrix?: MatrixKind;
  perExpert?: boolean;
  fused?: boolean;
}

interface Compiled {
  layerRe: RegExp;
  globals: Map<string, TensorRole>;
  rules: Rule[];
}

export const COMPANION_SUFFIXES = ['_scale_inv', '_scale', '_blocks', '_scales'] as const;
const COMPANION = `(${COMPANION_SUFFIXES.join('|')})?`;

export function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function templateRe(template: string): RegExp {
  return new RegExp(`^${escapeRe(template).replace(escapeRe('{e}'), '(\\d+)')}${COMPANION}$`);
}

const cache = new WeakMap<FamilyTable, Compiled>();

export function layerPrefixRe(t: FamilyTable): RegExp {
  return new RegExp(`^${escapeRe(t.layerPrefix).replace(escapeRe('{i}'), '(\\d+)')}(.+)$`);
}

function compile(t: FamilyTable): Compiled {
  const hit = cache.get(t);
  if (hit) return hit;
  const globals = new Map<string, TensorRole>();
  if (t.embed) globals.set(t.embed, 'embed');
  if (t.finalNorm) globals.set(t.finalNorm, 'final_norm');
  if (t.head) globals.set(t.head, 'head');
  const rules: Rule[] = [];
  const m = t.moe;
  if (m) {
    rules.push({ re: templateRe(m.router), role: 'router' });
    for (const b of m.routerBias ?? []) rules.push({ re: templateRe(b), role: 'router_bias' });
    const perExpert = m.expertLayout === 'per-expert';
    for (const [k, v] of Object.entries(m.experts)) {
      rules.push({ re: templateRe(v), role: 'expert', matrix: k as MatrixKind, perExpert, fused: !perExpert });
    }
    for (const [k, v] of Object.entries(m.sharedExpert ?? {})) rules.push({ re: templateRe(v), role: 'shared_expert', matrix: k as MatrixKind });
    if (m.sharedExpertGate) rules.push({ re: templateRe(m.sharedExpertGate), role: 'shared_expert_gate' });
  }
  for (const [k, v] of Object.entries(t.denseMlp ?? {})) rules.push({ re: templateRe(v), role: 'dense_mlp', matrix: k as MatrixKind });
  for (const n of t.norms) rules.push({ re: templateRe(n), role: 'norm' });
  for (const n of t.mtp?.markers ?? []) rules.push({ re: templateRe(n.name), role: 'mtp' });
  const c = { layerRe: layerPrefixRe(t), globals, rules };
  cache.set(t, c);
  return c;
}

// Name heuristics for the generic family and for per-layer names no table rule claims.
function guessLayerRole(rel: string): TensorRole {
  if (/(^|\.)(self_)?(attn|attention)(\.|_)/.test(rel) || /(^|\.)(q|k|v|o|qkv|c_attn)_?proj/.test(rel)) return 'attn';
  if (/(^|\.)[a-z_0-9]*(norm|ln_\d+|ln)\.(weight|bias)$/.test(rel)) return 'norm';
  if (/(^|\.)(mlp|ffn|feed_forward)\./.test(rel)) return 'dense_mlp';
  return 'other';
}

function guessGlobalRole(name: string): TensorRole {
  if (/(embed_tokens|wte|tok_embeddings|word_embeddings)\.weight$/.test(name)) return 'embed';
  if (/(^|\.)(lm_head|output)\.weight$/.test(name)) return 'head';
  if (/(^|\.)(norm|ln_f|final_layernorm|final_norm)\.(weight|bias)$/.test(name)) return 'final_norm';
  return 'other';
}

/**
 * Classifies one tensor name. `numLayers` (the config's layer count) lets a family with multi-token-prediction
 * layers (DeepSeek V3) mark every tensor of a layer at index >= numLayers as `mtp`.
 */
export function classifyTensor(t: FamilyTable, name: string, ctx: { numLayers?: number } = {}): TensorClass {
  const c = compile(t);
  const g = c.globals.get(name);
  if (g) return { role: g };
  const lm = c.layerRe.exec(name);
  if (!lm) return { role: t.id === 'generic' ? guessGlobalRole(name) : 'other' };
  const layer = Number(lm[1]);
  const relative = lm[2];
  if (t.mtp && ctx.numLayers !== undefined && layer >= ctx.numLayers) return { role: 'mtp', layer, relative };
  for (const r of c.rules) {
    const m = r.re.exec(relative);
    if (!m) continue;
    const out: TensorClass = { role: r.role, layer, relative };
    if (r.matrix) out.matrix = r.matrix;
    if (r.perExpert) out.expert = Number(m[1]);
    if (r.fused) out.fused = true;
    const companion = r.perExpert ? m[2] : m[1];
    if (companion) out.companion = companion;
    return out;
  }
  if (t.attnPrefix && relative.startsWith(t.attnPrefix)) return { role: 'attn', layer, relative };
  if (t.id === 'generic') return { role: guessLayerRole(relative), layer, relative };
  // Extra layer norms a table does not list (e.g. pre/post feed-forward norms) are still norms.
  if (/^[a-z_0-9]*norm\.(weight|bias)$/.test(relative)) return { role: 'norm', layer, relative };
  return { role: 'other', layer, relative };
}

