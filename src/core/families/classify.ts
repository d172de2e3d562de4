// Tensor name -> role, layer, expert, matrix. A table is compiled once (cached per table) into regular expressions,
// one per template, and into lookup tables derived from the same templates that classify a name without allocating:
// the layer prefix is split by hand, and what follows is compared in place with the template texts of its length
// (with each companion suffix). Both give the regular expressions' answer: the first rule, in table order, that matches.
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

/** Text a relative name (or what follows an expert index) may be, claimed by the first rule that would match it. */
interface Ending {
  text: string;
  rule: number;
  companion?: string;
}

/** Per-expert templates `<pre>{e}<post>` sharing one `<pre>`: `<post><companion>` texts by length. */
interface ExpertGroup {
  pre: string;
  byLength: Ending[][];
}

interface Compiled {
  layerRe: RegExp;
  /** Global names and roles (a later table field wins a name, as the map they were kept in). */
  globals: [string, TensorRole][];
  rules: Rule[];
  /** Whether the lookup tables below give the regular expressions' answers (else only the regexes are used). */
  fast: boolean;
  /** The layer prefix around `{i}`. */
  layerHead: string;
  layerTail: string;
  /** Templates without `{e}` (with each companion), by length. */
  exact: Ending[][];
  groups: ExpertGroup[];
  /** Rules whose templates the tables cannot express, tried by regex in rule order. */
  slow: number[];
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

const LINE_TERMINATOR = /[\n\r\u2028\u2029]/;
const isDigit = (ch: number): boolean => ch >= 48 && ch <= 57;

/** Adds `text` for `rule` unless an earlier rule has it (the first rule that matches wins). */
function claim(byLength: Ending[][], text: string, rule: number, companion?: string): void {
  const list = (byLength[text.length] ??= []);
  if (list.some((e) => e.text === text)) return;
  list.push(companion ? { text, rule, companion } : { text, rule });
}

function compile(t: FamilyTable): Compiled {
  const hit = cache.get(t);
  if (hit) return hit;
  const globalRoles = new Map<string, TensorRole>();
  if (t.embed) globalRoles.set(t.embed, 'embed');
  if (t.finalNorm) globalRoles.set(t.finalNorm, 'final_norm');
  if (t.head) globalRoles.set(t.head, 'head');
  const rules: Rule[] = [];
  const templates: string[] = [];
  const add = (template: string, r: Omit<Rule, 're'>) => {
    rules.push({ re: templateRe(template), ...r });
    templates.push(template);
  };
  const m = t.moe;
  if (m) {
    add(m.router, { role: 'router' });
    for (const b of m.routerBias ?? []) add(b, { role: 'router_bias' });
    const perExpert = m.expertLayout === 'per-expert';
    for (const [k, v] of Object.entries(m.experts)) add(v, { role: 'expert', matrix: k as MatrixKind, perExpert, fused: !perExpert });
    for (const [k, v] of Object.entries(m.sharedExpert ?? {})) add(v, { role: 'shared_expert', matrix: k as MatrixKind });
    if (m.sharedExpertGate) add(m.sharedExpertGate, { role: 'shared_expert_gate' });
  }
  for (const [k, v] of Object.entries(t.denseMlp ?? {})) add(v, { role: 'dense_mlp', matrix: k as MatrixKind });
  for (const n of t.norms) add(n, { role: 'norm' });
  for (const n of t.mtp?.markers ?? []) add(n.name, { role: 'mtp' });

  // The tables, with the regexes' meaning: `^<template>(<companion>)?$`, the first `{e}` -> `(\d+)`.
  const exact: Ending[][] = [];
  const groups = new Map<string, ExpertGroup>();
  const slow: number[] = [];
  templates.forEach((tpl, rule) => {
    const at = tpl.indexOf('{e}');
    const variants = (text: string, into: Ending[][]) => {
      claim(into, text, rule);
      for (const c of COMPANION_SUFFIXES) claim(into, text + c, rule, c);
    };
    if (!rules[rule].perExpert) {
      if (at >= 0) slow.push(rule); // the digits would be captured as the companion
      else variants(tpl, exact);
      return;
    }
    const post = at >= 0 ? tpl.slice(at + 3) : '';
    // `(\d+)` followed by a non-digit can match one way only; otherwise leave it to the regex.
    if (at < 0 || (post.length > 0 && isDigit(post.charCodeAt(0)))) {
      slow.push(rule);
      return;
    }
    const pre = tpl.slice(0, at);
    let g = groups.get(pre);
    if (!g) groups.set(pre, (g = { pre, byLength: [] }));
    variants(post, g.byLength);
  });
  // The layer prefix splits by hand exactly as `layerRe` when a non-digit follows `{i}`; templates with line
  // terminators (which `.+` does not match) keep the regexes.
  const at = t.layerPrefix.indexOf('{i}');
  const layerHead = at >= 0 ? t.layerPrefix.slice(0, at) : '';
  const layerTail = at >= 0 ? t.layerPrefix.slice(at + 3) : '';
  const fast = at >= 0 && layerTail.length > 0 && !isDigit(layerTail.charCodeAt(0)) && !templates.some((x) => LINE_TERMINATOR.test(x));
  const c: Compiled = {
    layerRe: layerPrefixRe(t), globals: [...globalRoles], rules, fast, layerHead, layerTail, exact, groups: [...groups.values()], slow,
  };
  cache.set(t, c);
  return c;
}

/** End of the run of ASCII digits from `i`. */
function digitsEnd(s: string, i: number): number {
  while (i < s.length && isDigit(s.charCodeAt(i))) i++;
  return i;
}

/** `Number(s.slice(from, to))` for a run of digits, without the slice when the value is exact in a double. */
function digitsValue(s: string, from: number, to: number): number {
  if (to - from > 15) return Number(s.slice(from, to));
  let v = 0;
  for (let i = from; i < to; i++) v = v * 10 + (s.charCodeAt(i) - 48);
  return v;
}

/** [layer, relative] of a per-layer name (`layerPrefixRe`), or null. */
export function splitLayerPrefix(t: FamilyTable, name: string): [number, string] | null {
  const m = compile(t).layerRe.exec(name);
  return m ? [Number(m[1]), m[2]] : null;
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

/** One classification, written in place so that classifying every tensor of a checkpoint allocates nothing. */
interface Scratch {
  role: TensorRole;
  layer: number | undefined;
  /** The name relative to the layer prefix: where it starts in the name, or the string itself when at hand. */
  relFrom: number;
  relative: string | undefined;
  /** The rule that matched, the expert index it read (`Number` of its pattern's `m[1]`) and the companion. */
  rule: Rule | undefined;
  expert: number;
  companion: string | undefined;
}

const scratch: Scratch = { role: 'other', layer: undefined, relFrom: 0, relative: undefined, rule: undefined, expert: NaN, companion: undefined };

function found(role: TensorRole, layer?: number, relFrom = 0, relative?: string): Scratch {
  scratch.role = role;
  scratch.layer = layer;
  scratch.relFrom = relFrom;
  scratch.relative = relative;
  scratch.rule = undefined;
  scratch.expert = NaN;
  scratch.companion = undefined;
  return scratch;
}

function byRule(r: Rule, layer: number, relFrom: number, relative: string | undefined, expert: number, companion: string | undefined): Scratch {
  found(r.role, layer, relFrom, relative);
  scratch.rule = r;
  scratch.expert = expert;
  scratch.companion = companion;
  return scratch;
}

/** What the layer's rules say when none of them matches the relative name. */
function unmatched(t: FamilyTable, layer: number, relative: string, relFrom: number): Scratch {
  if (t.attnPrefix && relative.startsWith(t.attnPrefix)) return found('attn', layer, relFrom, relative);
  if (t.id === 'generic') return found(guessLayerRole(relative), layer, relFrom, relative);
  // Extra layer norms a table does not list (e.g. pre/post feed-forward norms) are still norms.
  if (/^[a-z_0-9]*norm\.(weight|bias)$/.test(relative)) return found('norm', layer, relFrom, relative);
  return found('other', layer, relFrom, relative);
}

// The regexes alone: the layer prefix, then every rule in order.
function classifySlowly(c: Compiled, t: FamilyTable, name: string, numLayers: number | undefined): Scratch {
  const lm = c.layerRe.exec(name);
  if (!lm) return found(t.id === 'generic' ? guessGlobalRole(name) : 'other');
  const layer = Number(lm[1]);
  const relative = lm[2];
  const relFrom = name.length - relative.length;
  if (t.mtp && numLayers !== undefined && layer >= numLayers) return found('mtp', layer, relFrom, relative);
  for (const r of c.rules) {
    const m = r.re.exec(relative);
    if (m) return byRule(r, layer, relFrom, relative, r.perExpert ? Number(m[1]) : NaN, r.perExpert ? m[2] : m[1]);
  }
  return unmatched(t, layer, relative, relFrom);
}

function classify(c: Compiled, t: FamilyTable, name: string, numLayers: number | undefined): Scratch {
  for (const [n, role] of c.globals) if (n === name) return found(role);
  if (!c.fast) return classifySlowly(c, t, name, numLayers);
  // `^<head>(\d+)<tail>(.+)$`
  const head = c.layerHead;
  if (!name.startsWith(head)) return found(t.id === 'generic' ? guessGlobalRole(name) : 'other');
  const d = digitsEnd(name, head.length);
  const from = d + c.layerTail.length;
  if (d === head.length || !name.startsWith(c.layerTail, d) || from >= name.length) {
    return found(t.id === 'generic' ? guessGlobalRole(name) : 'other');
  }
  const layer = digitsValue(name, head.length, d);
  if (t.mtp && numLayers !== undefined && layer >= numLayers) {
    const relative = name.slice(from);
    if (LINE_TERMINATOR.test(relative)) return found(t.id === 'generic' ? guessGlobalRole(name) : 'other');
    return found('mtp', layer, from, relative);
  }
  // The first rule that matches the relative name (templates hold no line terminator, so neither does a match).
  let best: Ending | undefined;
  let eFrom = 0;
  let eTo = 0;
  const list = c.exact[name.length - from];
  if (list) {
    for (const e of list) {
      if (name.startsWith(e.text, from)) {
        best = e;
        break;
      }
    }
  }
  for (const g of c.groups) {
    if (!name.startsWith(g.pre, from)) continue;
    const p = from + g.pre.length;
    const q = digitsEnd(name, p);
    if (q === p) continue;
    const endings = g.byLength[name.length - q];
    if (!endings) continue;
    for (const e of endings) {
      if (!name.startsWith(e.text, q)) continue;
      if (!best || e.rule < best.rule) {
        best = e;
        eFrom = p;
        eTo = q;
      }
      break;
    }
  }
  if (c.slow.length) {
    const relative = name.slice(from);
    for (const i of c.slow) {
      if (best && best.rule < i) break;
      const r = c.rules[i];
      const m = r.re.exec(relative);
      if (m) return byRule(r, layer, from, relative, r.perExpert ? Number(m[1]) : NaN, r.perExpert ? m[2] : m[1]);
    }
  }
  if (best) {
    const r = c.rules[best.rule];
    return byRule(r, layer, from, undefined, r.perExpert ? digitsValue(name, eFrom, eTo) : NaN, best.companion);
  }
  const relative = name.slice(from);
  if (LINE_TERMINATOR.test(relative)) return found(t.id === 'generic' ? guessGlobalRole(name) : 'other');
  return unmatched(t, layer, relative, from);
}

/**
 * Classifies one tensor name. `numLayers` (the config's layer count) lets a family with multi-token-prediction
 * layers (DeepSeek V3) mark every tensor of a layer at index >= numLayers as `mtp`.
 */
export function classifyTensor(t: FamilyTable, name: string, ctx: { numLayers?: number } = {}): TensorClass {
  const x = classify(compile(t), t, name, ctx.numLayers);
  if (x.layer === undefined) return { role: x.role };
  const out: TensorClass = { role: x.role, layer: x.layer, relative: x.relative ?? name.slice(x.relFrom) };
  const r = x.rule;
  if (r) {
    if (r.matrix) out.matrix = r.matrix;
    if (r.perExpert) out.expert = x.expert;
    if (r.fused) out.fused = true;
    if (x.companion) out.companion = x.companion;
  }
  return out;
}

const ROLE_CODE: Record<TensorRole, number> = {
  embed: 0, final_norm: 1, head: 2, attn: 3, norm: 4, router: 5, router_bias: 6, expert: 7, shared_expert: 8, shared_expert_gate: 9,
  dense_mlp: 10, mtp: 11, other: 12,
};
/** TensorClasses.role codes -> roles. */
export const TENSOR_ROLES: readonly TensorRole[] = (Object.keys(ROLE_CODE) as TensorRole[]).sort((x, y) => ROLE_CODE[x] - ROLE_CODE[y]);

/**
 * classifyTensor (without a layer count) of many tensor names, as columns: no object per tensor. Entry k is
 * names[k]; `layer` / `expert` are NaN where the class has none (`hasExpert` tells an expert index that is NaN apart).
 */
export interface TensorClasses {
  size: number;
  /** Index into TENSOR_ROLES. */
  role: Uint8Array;
  layer: Float64Array;
  expert: Float64Array;
  hasExpert: Uint8Array;
  fused: Uint8Array;
  /** Companion suffixes, by entry (most tensors have none). */
  companion: Map<number, string>;
}

export function classifyTensors(t: FamilyTable, names: readonly string[]): TensorClasses {
  const c = compile(t);
  const size = names.length;
  const out: TensorClasses = {
    size, role: new Uint8Array(size), layer: new Float64Array(size).fill(NaN), expert: new Float64Array(size).fill(NaN),
    hasExpert: new Uint8Array(size), fused: new Uint8Array(size), companion: new Map(),
  };
  for (let k = 0; k < size; k++) {
    const x = classify(c, t, names[k], undefined);
    out.role[k] = ROLE_CODE[x.role];
    if (x.layer !== undefined) out.layer[k] = x.layer;
    const r = x.rule;
    if (r) {
      if (r.perExpert) {
        out.hasExpert[k] = 1;
        out.expert[k] = x.expert;
      }
      if (r.fused) out.fused[k] = 1;
      if (x.companion) out.companion.set(k, x.companion);
    }
  }
  return out;
}
