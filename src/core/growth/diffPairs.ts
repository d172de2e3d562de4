// Pairing a Graft-grown checkpoint's tensors with their sources: when B carries graft-recipe.yaml and its shards
// record the source header hash, the plan is rebuilt from A + that recipe and, if it matches B, every output tensor
// that is not a same-named verbatim copy (added experts, reshaped routers, depth copies) is compared with the
// source range the plan says it came from: max |B − source| and std(B − source) / std(source), streamed in chunks.
import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { FilePool, type CheckpointSource, type TensorRef } from '../safetensors/index';
import { compareRange, makeDiffBuffers } from './diff';
import { buildGrowthPlan } from './planBuilder';
import { parseRecipe } from './recipe';
import { resolveNoiseScales } from './scales';
import type { GrowthPlan, NoiseSpec, PlanTensor } from './types';

export type PairKind = 'copy' | 'noise' | 'slice' | 'drop';

export interface TensorPair {
  /** The output tensor (in B). */
  name: string;
  kind: PairKind;
  role: string;
  /** For slice pieces: output rows [start, end) of `name`. */
  rows?: [number, number];
  /** The source tensor (in A). */
  source: string;
  /** For slice pieces: source rows [start, end). */
  sourceRows?: [number, number];
  sourceLayer?: number;
  sourceExpert?: number;
  copy?: number;
  /** Noise α (noise transforms, noised slice pieces, drop with noise). */
  alpha?: number;
  /** What std(B − source)/std(source) should be: α · σ / std(source), σ the plan's noise scale. */
  expectedRelNoiseStd?: number;
  identical: boolean;
  maxAbsDiff: number;
  /** std(B − source) / std(source) (population stds). */
  relNoiseStd: number;
}

export type Pairing =
  | { matched: true; by: 'source header hash' | 'tensor table'; recipeHash: string; sigma: string | null; pairs: TensorPair[]; zeroed: number; initialised: number }
  | { matched: false; reason: string };

const numel = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

async function recipePath(b: CheckpointSource): Promise<string> {
  const dir = (await stat(b.root)).isDirectory() ? b.root : dirname(b.root);
  return join(dir, 'graft-recipe.yaml');
}

/** Why B's recorded source is A (or null with the reason it is not). */
function matchPlan(plan: GrowthPlan, b: CheckpointSource): { by: 'source header hash' | 'tensor table' } | { reason: string } {
  const recorded = new Set([...b.metadata.values()].map((m) => m.graft_source_header_sha256).filter((x): x is string => !!x));
  if (recorded.size === 1 && recorded.has(plan.source.headerSha256)) return { by: 'source header hash' };
  const sameTable = plan.tensors.length === b.tensors.size && plan.tensors.every((t) => {
    const r = b.tensors.get(t.name);
    return !!r && r.dtype === t.dtype && r.shape.join() === t.shape.join();
  });
  if (sameTable) return { by: 'tensor table' };
  const hash = recorded.size === 0 ? 'B records no source header hash' : recorded.size > 1 ? 'B\'s shards record different source header hashes' : 'B was grown from a different source (header hash differs)';
  return { reason: `${hash}, and the plan rebuilt from A + B's recipe does not produce B's tensors` };
}

/** Whether the output is just its same-named source, byte for byte: plain diff already covers it. */
function plainSelfCopy(t: PlanTensor): boolean {
  return t.transform.op === 'copy' && t.source?.name === t.name;
}

function expected(noise: NoiseSpec | undefined, stdSource: number): Partial<TensorPair> {
  if (!noise) return {};
  const e = noise.sigma !== null && stdSource > 0 ? (noise.alpha * noise.sigma) / stdSource : undefined;
  return { alpha: noise.alpha, ...(e !== undefined ? { expectedRelNoiseStd: e } : {}) };
}

/**
 * Rebuilds B's plan from A and B's graft-recipe.yaml; when it matches, compares each paired range. Never throws for
 * a missing or unusable recipe: returns the reason pairing was skipped.
 */
export async function pairWithSources(a: CheckpointSource, b: CheckpointSource, opts: { signal?: AbortSignal; chunkBytes?: number; onPair?: (done: number, total: number) => void } = {}): Promise<Pairing> {
  let file: string;
  let text: string;
  try {
    file = await recipePath(b);
    text = await readFile(file, 'utf8');
  } catch {
    return { matched: false, reason: 'B has no graft-recipe.yaml (not written by graft grow)' };
  }
  let plan: GrowthPlan;
  try {
    plan = buildGrowthPlan(a, parseRecipe(text, file), { recipeFile: file });
  } catch (e) {
    return { matched: false, reason: `B's recipe does not apply to A: ${(e as Error).message}` };
  }
  const m = matchPlan(plan, b);
  if ('reason' in m) return { matched: false, reason: m.reason };

  const todo = plan.tensors.filter((t) => !plainSelfCopy(t) && t.source);
  const zeroed = plan.tensors.filter((t) => t.transform.op === 'zero').length;
  const initialised = plan.tensors.filter((t) => t.transform.op === 'init').length;
  const pa = new FilePool();
  const pb = new FilePool();
  const pairs: TensorPair[] = [];
  try {
    // σ of each noise scale (one streamed read of the ranges it names), for the expected ratio.
    if (Object.keys(plan.scales).length) plan = await resolveNoiseScales(plan, { pool: pa, chunkBytes: opts.chunkBytes, signal: opts.signal });
    const resolved = new Map(plan.tensors.map((t) => [t.name, t]));
    const bufs = makeDiffBuffers(opts.chunkBytes);
    let done = 0;
    for (const t0 of todo) {
      const t = resolved.get(t0.name)!;
      const src = t.source as TensorRef;
      const out = b.tensors.get(t.name)!;
      const head = {
        name: t.name, role: t.role, source: src.name,
        ...(t.sourceLayer !== undefined ? { sourceLayer: t.sourceLayer } : {}),
        ...(t.sourceExpert !== undefined ? { sourceExpert: t.sourceExpert } : {}),
        ...(t.copy !== undefined ? { copy: t.copy } : {}),
      };
      const tr = t.transform;
      if (tr.op === 'slice') {
        const rowElems = numel(t.shape.slice(1));
        for (const p of tr.pieces) {
          const rows = p.rows[1] - p.rows[0];
          const r = await compareRange(src, p.rows[0] * rowElems, out, p.at * rowElems, rows * rowElems, pa, pb, bufs, opts.signal);
          pairs.push({
            ...head, kind: 'slice', rows: [p.at, p.at + rows], sourceRows: [p.rows[0], p.rows[1]], ...expected(p.noise, r.stdA),
            identical: r.identical, maxAbsDiff: r.maxAbsDiff, relNoiseStd: r.relNoiseStd,
          });
        }
      } else if (tr.op === 'copy' || tr.op === 'noise' || tr.op === 'drop') {
        const r = await compareRange(src, 0, out, 0, numel(src.shape), pa, pb, bufs, opts.signal);
        pairs.push({
          ...head, kind: tr.op, ...expected(tr.op === 'copy' ? undefined : tr.noise, r.stdA),
          identical: r.identical, maxAbsDiff: r.maxAbsDiff, relNoiseStd: r.relNoiseStd,
        });
      }
      opts.onPair?.(++done, todo.length);
    }
  } finally {
    await pa.close();
    await pb.close();
  }
  return { matched: true, by: m.by, recipeHash: plan.recipeHash, sigma: plan.sigmaMode, pairs, zeroed, initialised };
}

function median(xs: number[]): number {
  const s = xs.filter((x) => Number.isFinite(x)).sort((x, y) => x - y);
  if (!s.length) return NaN;
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

/** One line per kind, e.g. "copies of source tensors: 96 noised (relative noise std 0.0100 median, α = 0.01), 155 exact copies, 4 router slices". */
export function pairingSummary(p: Extract<Pairing, { matched: true }>): string[] {
  const byTensor = new Map<string, TensorPair[]>();
  for (const x of p.pairs) byTensor.set(x.name, [...(byTensor.get(x.name) ?? []), x]);
  const noisedRatios: number[] = [];
  const alphas = new Set<number>();
  let noised = 0, exact = 0, copyDiffer = 0, dropped = 0;
  const slices = new Map<string, number>();
  let sliceRowsNoised = 0, sliceRowsExact = 0, sliceRowsDiffer = 0;
  for (const [, xs] of byTensor) {
    const k = xs[0].kind;
    if (k === 'slice') {
      const label = /router/.test(xs[0].role) ? 'router slices' : `${xs[0].role} slices`;
      slices.set(label, (slices.get(label) ?? 0) + 1);
      for (const x of xs) {
        const rows = x.rows![1] - x.rows![0];
        if (x.alpha) { sliceRowsNoised += rows; alphas.add(x.alpha); noisedRatios.push(x.relNoiseStd); }
        else if (x.identical) sliceRowsExact += rows;
        else sliceRowsDiffer += rows;
      }
    } else if (k === 'noise' || (k === 'drop' && xs[0].alpha)) {
      if (k === 'drop') dropped++;
      else { noised++; noisedRatios.push(xs[0].relNoiseStd); }
      alphas.add(xs[0].alpha!);
    } else if (k === 'drop') dropped++;
    else if (xs[0].identical) exact++;
    else copyDiffer++;
  }
  const parts: string[] = [];
  const al = [...alphas].sort((x, y) => x - y).map((x) => String(x)).join(', ');
  if (noised) parts.push(`${noised} noised (relative noise std ${median(noisedRatios).toFixed(4)} median, α = ${al})`);
  if (exact) parts.push(`${exact} exact copies`);
  if (copyDiffer) parts.push(`${copyDiffer} copies that DIFFER from their source`);
  for (const [label, n] of slices) parts.push(`${n} ${label}`);
  if (dropped) parts.push(`${dropped} drop-upcycled`);
  if (p.zeroed) parts.push(`${p.zeroed} zeroed`);
  if (p.initialised) parts.push(`${p.initialised} initialised`);
  const L = [`copies of source tensors (plan rebuilt from A + B's recipe, matched by ${p.by}): ${parts.join(', ') || 'none'}`];
  if (slices.size) {
    L.push(`  slice rows: ${sliceRowsNoised} noised${!noised && sliceRowsNoised ? ` (relative noise std ${median(noisedRatios).toFixed(4)} median, α = ${al})` : ''}, ${sliceRowsExact} exact${sliceRowsDiffer ? `, ${sliceRowsDiffer} DIFFER from their source` : ''}`);
  }
  return L;
}

/** A per-pair line: `⇐ name[rows] ← source[rows]  max|Δ| …  std(Δ)/std(src) … (expected …)`. */
export function pairLine(x: TensorPair): string {
  const rows = (r?: [number, number]) => (r ? `[${r[0]}:${r[1]}]` : '');
  const exp = x.expectedRelNoiseStd !== undefined ? ` (α ${x.alpha}, expected ${x.expectedRelNoiseStd.toFixed(4)})` : x.alpha !== undefined ? ` (α ${x.alpha})` : '';
  return `${x.identical ? '⇐' : '≈'} ${x.name}${rows(x.rows)} ← ${x.source}${rows(x.sourceRows)}  ${x.kind}  max|Δ| ${x.maxAbsDiff.toExponential(3)}  std(Δ)/std(src) ${x.relNoiseStd.toExponential(3)}${exp}`;
}
