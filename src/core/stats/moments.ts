// Moments of a stream of float values, combined exactly as Chan et al.'s parallel algorithm does: each part
// brings its count, mean and M2 (sum of squared deviations from its own mean); parts combine in float64 without
// the cancellation of sum-of-squares formulas. NaN and ±Inf are counted, never folded into the moments.

export interface Moments {
  /** Finite values seen. */
  count: number;
  mean: number;
  /** Σ (x − mean)² over the finite values. */
  m2: number;
  /** Smallest and largest finite value (±Infinity while count is 0). */
  min: number;
  max: number;
  nanCount: number;
  infCount: number;
}

export function emptyMoments(): Moments {
  return { count: 0, mean: 0, m2: 0, min: Infinity, max: -Infinity, nanCount: 0, infCount: 0 };
}

/** Adds `b` into `a` (Chan's combine) and returns `a`. */
export function combineMoments(a: Moments, b: Moments): Moments {
  a.nanCount += b.nanCount;
  a.infCount += b.infCount;
  if (b.min < a.min) a.min = b.min;
  if (b.max > a.max) a.max = b.max;
  if (b.count === 0) return a;
  if (a.count === 0) {
    a.count = b.count;
    a.mean = b.mean;
    a.m2 = b.m2;
    return a;
  }
  const n = a.count + b.count;
  const delta = b.mean - a.mean;
  a.mean += (delta * b.count) / n;
  a.m2 += b.m2 + ((delta * delta) * a.count * b.count) / n;
  a.count = n;
  return a;
}

export function cloneMoments(m: Moments): Moments {
  return { ...m };
}

/**
 * Moments of a chunk from shifted partial sums: Σ(x−k) and Σ(x−k)² over `count` finite values, with k close to
 * the data (the running mean, or a value of the chunk) so that the subtraction below loses almost nothing.
 */
export function momentsFromShiftedSums(count: number, shift: number, sumD: number, sumSqD: number, min: number, max: number, nanCount: number, infCount: number): Moments {
  if (count === 0) return { count: 0, mean: 0, m2: 0, min: Infinity, max: -Infinity, nanCount, infCount };
  const dMean = sumD / count;
  const m2 = Math.max(0, sumSqD - dMean * sumD);
  return { count, mean: shift + dMean, m2, min, max, nanCount, infCount };
}

/**
 * Float64 moments of values[start, end) computed on the host (two passes). The reference the ORT path is tested
 * against, and the exact fallback for a chunk whose float32 partial sums overflow.
 */
export function momentsOf(values: ArrayLike<number>, start = 0, end = values.length): Moments {
  const m = emptyMoments();
  let sum = 0;
  for (let i = start; i < end; i++) {
    const x = values[i];
    if (x !== x) m.nanCount++;
    else if (x === Infinity || x === -Infinity) m.infCount++;
    else {
      m.count++;
      sum += x;
      if (x < m.min) m.min = x;
      if (x > m.max) m.max = x;
    }
  }
  if (m.count === 0) return m;
  m.mean = sum / m.count;
  let m2 = 0;
  let comp = 0;
  for (let i = start; i < end; i++) {
    const x = values[i];
    if (x === x && x !== Infinity && x !== -Infinity) {
      const d = x - m.mean;
      m2 += d * d;
      comp += d;
    }
  }
  // Corrected two-pass: removes the rounding error of the mean from M2.
  m.m2 = Math.max(0, m2 - (comp * comp) / m.count);
  m.mean += comp / m.count;
  return m;
}
