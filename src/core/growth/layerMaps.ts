// Depth growth as layer maps (METHOD.md §1): output layer j is a copy of source layer map[j]. Every method is a
// pure function of n and its parameters; `identity` marks LLaMA-Pro's inserted blocks (output projections zeroed).
import { PlanError } from '../errors';
import type { DepthOp, MergekitSlice } from './recipe';

export interface LayerSlot {
  src: number;
  /** LLaMA-Pro inserted copy: attention output and every down projection zeroed. */
  identity: boolean;
}

function bad(key: string, rule: string): PlanError {
  return new PlanError('plan', `depth: ${key} ${rule}`, { key, rule });
}

function edges(n: number, a: number, b: number, k: number): void {
  if (!Number.isInteger(k) || k < 1) throw bad('factor', `must be an integer >= 1, got ${k}`);
  if (a < 0 || b < 0 || a + b > n) throw bad('ignore_first', `+ ignore_last (${a} + ${b}) must not exceed the ${n} layers`);
}

/** Interposition: l0 l0 l1 l1 …; layers i < a or i >= n − b appear once. Total n + (k−1)(n−a−b). */
export function interpositionMap(n: number, k = 2, a = 0, b = 0): number[] {
  edges(n, a, b, k);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const reps = i < a || i >= n - b ? 1 : k;
    for (let r = 0; r < reps; r++) out.push(i);
  }
  return out;
}

/** Stack: l0 … l(n−b−1), then k−1 blocks l_a … l(n−1). Total (n−b) + (k−1)(n−a). */
export function stackMap(n: number, k = 2, a = 0, b = 0): number[] {
  edges(n, a, b, k);
  const out: number[] = [];
  for (let i = 0; i < n - b; i++) out.push(i);
  for (let r = 1; r < k; r++) for (let i = a; i < n; i++) out.push(i);
  return out;
}

/** LLaMA-Pro block expansion: after every ⌊n/add⌋-th layer an identity copy of it, `add` copies in all. */
export function llamaProSlots(n: number, add: number): LayerSlot[] {
  if (!Number.isInteger(add) || add < 1 || add > n) throw bad('add', `must be an integer in [1, ${n}] (one block per source layer at most), got ${add}`);
  const split = Math.floor(n / add);
  const out: LayerSlot[] = [];
  let inserted = 0;
  for (let i = 0; i < n; i++) {
    out.push({ src: i, identity: false });
    if ((i + 1) % split === 0 && inserted < add) {
      out.push({ src: i, identity: true });
      inserted++;
    }
  }
  return out;
}

/** SOLAR depth up-scaling: [0, n−m) + [m, n). */
export function solarMap(n: number, m: number): number[] {
  if (!Number.isInteger(m) || m < 0 || m >= n) throw bad('m', `must be an integer in [0, ${n - 1}], got ${m}`);
  const out: number[] = [];
  for (let i = 0; i < n - m; i++) out.push(i);
  for (let i = m; i < n; i++) out.push(i);
  return out;
}

/** mergekit `slices`: each half-open layer_range in order. */
export function slicesMap(n: number, slices: MergekitSlice[]): number[] {
  const models = new Set(slices.flatMap((s) => s.sources.map((x) => x.model ?? '')));
  if (models.size > 1) throw bad('slices', `name several models (${[...models].join(', ')}): growth reads one checkpoint`);
  const out: number[] = [];
  slices.forEach((s, i) => {
    const [a, b] = s.sources[0].layer_range;
    if (b > n) throw bad(`slices[${i}].layer_range`, `[${a}, ${b}) goes past the ${n} source layers`);
    for (let l = a; l < b; l++) out.push(l);
  });
  return out;
}

export function checkMap(n: number, map: number[], key = 'map'): number[] {
  map.forEach((x, j) => {
    if (!Number.isInteger(x) || x < 0 || x >= n) throw bad(`${key}[${j}]`, `= ${x} is not a source layer (0..${n - 1})`);
  });
  if (map.length === 0) throw bad(key, 'is empty');
  return map;
}

/** The slots of one depth op applied to a model of n layers. */
export function depthSlots(op: DepthOp, n: number): LayerSlot[] {
  const plain = (m: number[]) => m.map((src) => ({ src, identity: false }));
  switch (op.method) {
    case 'interposition': return plain(interpositionMap(n, op.factor ?? 2, op.ignore_first ?? 0, op.ignore_last ?? 0));
    case 'stack': return plain(stackMap(n, op.factor ?? 2, op.ignore_first ?? 0, op.ignore_last ?? 0));
    case 'llama-pro': return llamaProSlots(n, op.add ?? Math.max(1, Math.round(n * ((op.factor ?? 1.25) - 1))));
    case 'solar': return plain(solarMap(n, op.m ?? 0));
    case 'map': return plain(checkMap(n, op.map ?? []));
    case 'slices': return plain(slicesMap(n, op.slices ?? []));
  }
}

/** Composes a later op's slots (indices into `prev`) onto earlier slots. */
export function composeSlots(prev: LayerSlot[], next: LayerSlot[]): LayerSlot[] {
  return next.map((s) => ({ src: prev[s.src].src, identity: prev[s.src].identity || s.identity }));
}
