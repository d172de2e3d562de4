// Recipes: a versioned list of growth operations (`schema: graft/recipe@1`), from YAML or JSON. A mergekit-style
// file with top-level `slices` is read as one depth op. Every rule a recipe breaks is a PlanError naming the key.
import { createHash } from 'node:crypto';
import { parseYaml } from '../util/yaml';
import { PlanError } from '../errors';
import type { SigmaMode } from './types';

export const RECIPE_SCHEMA = 'graft/recipe@1';

export type DepthMethod = 'interposition' | 'stack' | 'llama-pro' | 'solar' | 'map' | 'slices';

export interface MergekitSlice {
  sources: { model?: string; layer_range: [number, number] }[];
}

export interface DepthOp {
  op: 'depth';
  method: DepthMethod;
  /** interposition / stack: copies per layer (k); llama-pro: new/old layer ratio when `add` is absent. */
  factor?: number;
  ignore_first?: number;
  ignore_last?: number;
  /** llama-pro: number of blocks inserted. */
  add?: number;
  /** solar: layers dropped at the seam from each copy. */
  m?: number;
  map?: number[];
  slices?: MergekitSlice[];
}

export interface ExpertsOp {
  op: 'experts';
  factor: number;
  alpha: number;
  sigma: SigmaMode;
  /** Keep top-k as it was (cheaper inference; NOT function-preserving). Default: top-k × factor. */
  keep_topk: boolean;
  /** Zero the whole expanded router bias, originals included. */
  zero_router_bias: boolean;
  /** grouped: each copy inside its original's routing group (DeepSeek n_group); append: copies after all experts. */
  placement: 'grouped' | 'append';
}

export interface UpcycleOp {
  op: 'upcycle';
  experts: number;
  topk: number;
  router_init: 'zeros' | 'normal';
  router_std: number;
  /** Noise on experts 1..E-1 (expert 0 stays the exact MLP). */
  alpha: number;
  /** Drop-Upcycling: fraction of each expert's intermediate channels re-initialised (expert 0 included). */
  drop_ratio: number;
}

export type GrowthOp = DepthOp | ExpertsOp | UpcycleOp;

export interface Recipe {
  schema: typeof RECIPE_SCHEMA;
  name?: string;
  seed: number;
  ops: GrowthOp[];
}

function bad(key: string, rule: string, file?: string): PlanError {
  return new PlanError('recipe', `recipe: ${key} ${rule}`, { key, rule, file });
}

type Obj = Record<string, unknown>;

function int(o: Obj, key: string, where: string, def: number | undefined, min: number, file?: string): number {
  const v = o[key];
  if (v === undefined || v === null) {
    if (def === undefined) throw bad(`${where}.${key}`, 'is required', file);
    return def;
  }
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) throw bad(`${where}.${key}`, `must be an integer >= ${min}, got ${JSON.stringify(v)}`, file);
  return v;
}

function num(o: Obj, key: string, where: string, def: number, min: number, max: number, file?: string): number {
  const v = o[key];
  if (v === undefined || v === null) return def;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) throw bad(`${where}.${key}`, `must be a number in [${min}, ${max}], got ${JSON.stringify(v)}`, file);
  return v;
}

function bool(o: Obj, key: string, where: string, def: boolean, file?: string): boolean {
  const v = o[key];
  if (v === undefined || v === null) return def;
  if (typeof v !== 'boolean') throw bad(`${where}.${key}`, `must be true or false, got ${JSON.stringify(v)}`, file);
  return v;
}

function choice<T extends string>(o: Obj, key: string, where: string, options: readonly T[], def: T | undefined, file?: string): T {
  const v = o[key];
  if (v === undefined || v === null) {
    if (def === undefined) throw bad(`${where}.${key}`, `is required (one of ${options.join(', ')})`, file);
    return def;
  }
  if (typeof v !== 'string' || !options.includes(v as T)) throw bad(`${where}.${key}`, `must be one of ${options.join(', ')}, got ${JSON.stringify(v)}`, file);
  return v as T;
}

function onlyKeys(o: Obj, allowed: string[], where: string, file?: string): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) throw bad(`${where}.${k}`, `is not a known key here (known: ${allowed.join(', ')})`, file);
}

function parseSlices(v: unknown, where: string, file?: string): MergekitSlice[] {
  if (!Array.isArray(v) || v.length === 0) throw bad(where, 'must be a non-empty list of {sources: [{model, layer_range: [a, b]}]}', file);
  return v.map((s, i) => {
    const w = `${where}[${i}]`;
    if (!s || typeof s !== 'object' || !Array.isArray((s as Obj).sources) || (s as Obj[]).length === 0) throw bad(`${w}.sources`, 'must be a non-empty list', file);
    const sources = ((s as Obj).sources as unknown[]).map((src, j) => {
      const ws = `${w}.sources[${j}]`;
      if (!src || typeof src !== 'object') throw bad(ws, 'must be an object', file);
      const r = (src as Obj).layer_range;
      if (!Array.isArray(r) || r.length !== 2 || !r.every((x) => Number.isSafeInteger(x) && x >= 0) || r[0] >= r[1]) {
        throw bad(`${ws}.layer_range`, `must be [a, b] with 0 <= a < b (half-open), got ${JSON.stringify(r)}`, file);
      }
      const model = (src as Obj).model;
      if (model !== undefined && typeof model !== 'string') throw bad(`${ws}.model`, 'must be a string', file);
      return { ...(model !== undefined ? { model } : {}), layer_range: [r[0], r[1]] as [number, number] };
    });
    if (sources.length > 1) throw bad(`${w}.sources`, 'has several sources: merging models is not growth (one source per slice)', file);
    return { sources };
  });
}

const DEPTH_METHODS: DepthMethod[] = ['interposition', 'stack', 'llama-pro', 'solar', 'map', 'slices'];

function parseOp(raw: unknown, i: number, file?: string): GrowthOp {
  const where = `ops[${i}]`;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw bad(where, 'must be an object with an "op" key', file);
  const o = raw as Obj;
  const op = choice(o, 'op', where, ['depth', 'experts', 'upcycle'] as const, undefined, file);
  if (op === 'depth') {
    onlyKeys(o, ['op', 'method', 'factor', 'ignore_first', 'ignore_last', 'add', 'm', 'map', 'slices'], where, file);
    const method = choice(o, 'method', where, DEPTH_METHODS, 'interposition', file);
    const d: DepthOp = { op, method };
    if (method === 'interposition' || method === 'stack') {
      d.factor = int(o, 'factor', where, 2, 1, file);
      d.ignore_first = int(o, 'ignore_first', where, 0, 0, file);
      d.ignore_last = int(o, 'ignore_last', where, 0, 0, file);
    } else if (method === 'llama-pro') {
      if (o.add !== undefined) d.add = int(o, 'add', where, undefined, 1, file);
      else d.factor = num(o, 'factor', where, 1.25, 1, 1e6, file);
    } else if (method === 'solar') {
      d.m = int(o, 'm', where, undefined, 0, file);
    } else if (method === 'map') {
      const m = o.map;
      if (!Array.isArray(m) || m.length === 0 || !m.every((x) => Number.isSafeInteger(x) && x >= 0)) {
        throw bad(`${where}.map`, `must be a non-empty list of source layer indices, got ${JSON.stringify(m)}`, file);
      }
      d.map = m as number[];
    } else {
      d.slices = parseSlices(o.slices, `${where}.slices`, file);
    }
    for (const k of ['factor', 'ignore_first', 'ignore_last', 'add', 'm', 'map', 'slices']) {
      if (o[k] !== undefined && (d as unknown as Obj)[k] === undefined) throw bad(`${where}.${k}`, `does not apply to method ${method}`, file);
    }
    return d;
  }
  if (op === 'experts') {
    onlyKeys(o, ['op', 'factor', 'alpha', 'sigma', 'keep_topk', 'zero_router_bias', 'placement'], where, file);
    return {
      op,
      factor: int(o, 'factor', where, 2, 2, file),
      alpha: num(o, 'alpha', where, 0.01, 0, 10, file),
      sigma: choice(o, 'sigma', where, ['tensor', 'expert', 'layer'] as const, 'tensor', file),
      keep_topk: bool(o, 'keep_topk', where, false, file),
      zero_router_bias: bool(o, 'zero_router_bias', where, false, file),
      placement: choice(o, 'placement', where, ['grouped', 'append'] as const, 'grouped', file),
    };
  }
  onlyKeys(o, ['op', 'experts', 'topk', 'router_init', 'router_std', 'alpha', 'drop_ratio'], where, file);
  return {
    op,
    experts: int(o, 'experts', where, 8, 2, file),
    topk: int(o, 'topk', where, 2, 1, file),
    router_init: choice(o, 'router_init', where, ['zeros', 'normal'] as const, 'zeros', file),
    router_std: num(o, 'router_std', where, 0.02, 0, 10, file),
    alpha: num(o, 'alpha', where, 0, 0, 10, file),
    drop_ratio: num(o, 'drop_ratio', where, 0, 0, 1, file),
  };
}

/** Validates a parsed recipe object (or a mergekit-style `{slices: [...]}` object). */
export function validateRecipe(raw: unknown, file?: string): Recipe {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw bad('(root)', 'must be an object', file);
  const o = raw as Obj;
  if (o.schema === undefined && o.slices !== undefined) {
    // mergekit: `slices` (+ merge_method: passthrough, dtype) is a depth layer map.
    if (o.merge_method !== undefined && o.merge_method !== 'passthrough') throw bad('merge_method', `must be passthrough for growth, got ${JSON.stringify(o.merge_method)}`, file);
    return { schema: RECIPE_SCHEMA, seed: 0, ops: [{ op: 'depth', method: 'slices', slices: parseSlices(o.slices, 'slices', file) }] };
  }
  if (o.schema !== RECIPE_SCHEMA) throw bad('schema', `must be "${RECIPE_SCHEMA}", got ${JSON.stringify(o.schema)}`, file);
  onlyKeys(o, ['schema', 'name', 'seed', 'ops'], '(root)', file);
  if (!Array.isArray(o.ops) || o.ops.length === 0) throw bad('ops', 'must be a non-empty list', file);
  const seed = int(o, 'seed', '(root)', 0, 0, file);
  if (o.name !== undefined && typeof o.name !== 'string') throw bad('name', 'must be a string', file);
  const ops = o.ops.map((x, i) => parseOp(x, i, file));
  const widths = ops.filter((x) => x.op === 'experts').length;
  const ups = ops.filter((x) => x.op === 'upcycle').length;
  if (widths > 1) throw bad('ops', 'has more than one experts op: grow once, then grow the result', file);
  if (ups > 1) throw bad('ops', 'has more than one upcycle op', file);
  if (ups && widths) throw bad('ops', 'mixes upcycle and experts: upcycle straight to the expert count you want', file);
  return { schema: RECIPE_SCHEMA, ...(o.name !== undefined ? { name: o.name as string } : {}), seed, ops };
}

/** Parses recipe text: JSON when it starts with `{`, YAML otherwise. */
export function parseRecipe(text: string, file?: string): Recipe {
  let raw: unknown;
  try {
    raw = text.trimStart().startsWith('{') ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new PlanError('recipe', `recipe is not valid ${text.trimStart().startsWith('{') ? 'JSON' : 'YAML'}: ${(e as Error).message}`, { file, rule: 'syntax' }, { cause: e });
  }
  return validateRecipe(raw, file);
}

/** Canonical JSON (sorted keys) and its sha256: the recipe hash recorded in the output. */
export function recipeHash(r: Recipe): string {
  return createHash('sha256').update(canonicalJson(r)).digest('hex');
}

export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Obj)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}
