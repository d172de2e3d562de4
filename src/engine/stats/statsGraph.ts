// The ONNX graphs that reduce one float32 chunk, laid out as [rows, cols], to per-row partial sums: float32
// accumulation error grows with the length summed, so rows stay short (ROW_LENGTH) and the host adds the row
// partials in float64. Two variants:
//   fast:   Σ(x−k), Σ(x−k)², min, max over every element (no masking: four reductions and one Sub);
//   masked: the same with NaN and ±Inf excluded, plus their counts, and the deviations scaled by a power of two s
//           (exact) so that squares of tiny (denormal) or huge values neither underflow nor overflow. Used only
//           when `fast` reports a non-finite sum or values whose squares leave float32's normal range;
//   sums:   Σd and Σd² of deviations d = x − k the host has already formed (shiftKernel.ts, in the same pass that
//           decodes the chunk and finds its min and max): ReduceSum over d and over Mul(d, d), the two cheapest
//           reductions ORT's CPU kernels offer (ReduceSumSquare along rows is about twice as slow here).
// Both dimensions are symbolic; k (the shift) is a scalar input chosen near the data by the host.
import { GraphBuilder } from '../onnx/graphBuilder';

/** Below this absolute maximum, float32 squares lose precision (2^-60 squared is near the normal minimum). */
export const TINY = 2 ** -50;
/** Above this, float32 squares of a chunk can overflow. */
export const HUGE = 2 ** 60;

export type StatsGraphVariant = 'fast' | 'masked' | 'sums';

export const STATS_OUTPUTS = {
  fast: ['sum_d', 'sumsq_d', 'min', 'max'],
  masked: ['sum_d', 'sumsq_d', 'min', 'max', 'nan_count', 'inf_count'],
  sums: ['sum_d', 'sumsq_d'],
} as const;

export function buildStatsGraph(variant: StatsGraphVariant): Uint8Array {
  const g = new GraphBuilder(`graft_stats_${variant}`);
  if (variant === 'sums') {
    const d = g.input('d', 'float32', ['rows', 'cols']);
    const axis = g.constInt64([1]);
    g.output(g.op('ReduceSum', [d, axis], { keepdims: 0 }), 'float32', ['rows'], 'sum_d');
    g.output(g.op('ReduceSum', [g.op('Mul', [d, d]), axis], { keepdims: 0 }), 'float32', ['rows'], 'sumsq_d');
    return g.toBytes('graft tensor statistics: row sums of shifted deviations and of their squares');
  }
  const x = g.input('x', 'float32', ['rows', 'cols']);
  const k = g.input('k', 'float32', []);
  // ReduceSum takes its axes as an input from opset 13; the other reductions still take an attribute at 17.
  const perRow = { keepdims: 0, axes: [1] };
  const lastAxis = g.constInt64([1]);
  const sum = (v: { name: string }, as: string) => g.output(g.op('ReduceSum', [v, lastAxis], { keepdims: 0 }), 'float32', ['rows'], as);
  if (variant === 'fast') {
    const d = g.op('Sub', [x, k]);
    sum(d, 'sum_d');
    g.output(g.op('ReduceSumSquare', [d], perRow), 'float32', ['rows'], 'sumsq_d');
    g.output(g.op('ReduceMin', [x], perRow), 'float32', ['rows'], 'min');
    g.output(g.op('ReduceMax', [x], perRow), 'float32', ['rows'], 'max');
    return g.toBytes('graft tensor statistics: shifted sums, min, max of one chunk');
  }
  const isNan = g.op('IsNaN', [x]);
  const isInf = g.op('IsInf', [x]);
  const bad = g.op('Or', [isNan, isInf]);
  const zero = g.scalarFloat(0);
  const scale = g.input('s', 'float32', []);
  const d = g.op('Where', [bad, zero, g.op('Mul', [g.op('Sub', [x, k]), scale])]);
  sum(d, 'sum_d');
  g.output(g.op('ReduceSumSquare', [d], perRow), 'float32', ['rows'], 'sumsq_d');
  g.output(g.op('ReduceMin', [g.op('Where', [bad, g.scalarFloat(Infinity), x])], perRow), 'float32', ['rows'], 'min');
  g.output(g.op('ReduceMax', [g.op('Where', [bad, g.scalarFloat(-Infinity), x])], perRow), 'float32', ['rows'], 'max');
  // Counts in float32 are exact below 2^24 elements; chunks are capped far below that (MAX_CHUNK_ELEMENTS).
  sum(g.op('Cast', [isNan], { to: 1 }), 'nan_count');
  sum(g.op('Cast', [isInf], { to: 1 }), 'inf_count');
  return g.toBytes('graft tensor statistics: masked shifted sums, min, max, NaN and Inf counts of one chunk');
}

/** Largest chunk a stats graph is run on (float32 counts stay exact; memory stays bounded). */
export const MAX_CHUNK_ELEMENTS = 1 << 22;

/** Elements per row: float32 sums of 1024 values stay within a few ulps of float64 ones for weights. */
export const ROW_LENGTH = 1024;
