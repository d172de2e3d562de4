// Moments → the plain statistics record.
import type { Moments } from './moments';
import type { TensorStatistics } from './types';

const orNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

export function finalizeStats(m: Moments, numel = m.count + m.nanCount + m.infCount): TensorStatistics {
  const has = m.count > 0;
  const sumSq = m.m2 + m.count * m.mean * m.mean;
  return {
    numel,
    count: m.count,
    mean: has ? m.mean : null,
    std: has ? Math.sqrt(m.m2 / m.count) : null,
    rms: has ? Math.sqrt(sumSq / m.count) : null,
    fro: has ? Math.sqrt(sumSq) : null,
    min: has ? orNull(m.min) : null,
    max: has ? orNull(m.max) : null,
    absmax: has ? Math.max(Math.abs(m.min), Math.abs(m.max)) : null,
    nanCount: m.nanCount,
    infCount: m.infCount,
  };
}
