// Runs the stats graphs on float32 chunks and returns float64 moments. The host picks the shift, checks the fast
// result, reruns the masked graph when NaN/Inf are present, and computes a chunk in float64 itself only when
// float32 partial sums overflow (finite values near 3.4e38), so results never depend on luck.
import type * as OrtModule from 'onnxruntime-node';
import { EngineError } from '../../core/errors';
import { combineMoments, momentsFromShiftedSums, momentsOf, type Moments } from '../../core/stats/moments';
import type { Provider, ProviderChoice } from '../providers';
import { createSession, type Session } from '../session';
import { buildStatsGraph, HUGE, MAX_CHUNK_ELEMENTS, ROW_LENGTH, TINY } from './statsGraph';

export interface ChunkReducerOptions {
  provider?: ProviderChoice;
  threads?: number;
}

export class ChunkReducer {
  private masked: Session | undefined;
  private sums: Session | undefined;
  private readonly shiftBuf = new Float32Array(1);
  private readonly scaleBuf = new Float32Array(1);
  /** Chunks that needed the masked graph / the float64 host fallback (for tests and diagnostics). */
  readonly counters = { fast: 0, masked: 0, host: 0, sums: 0 };

  private constructor(
    private readonly fast: Session,
    readonly provider: Provider,
    readonly fallbackReason: string | undefined,
    private readonly opts: ChunkReducerOptions,
  ) {}

  static async create(opts: ChunkReducerOptions = {}): Promise<ChunkReducer> {
    const made = await createSession(buildStatsGraph('fast'), { provider: opts.provider, threads: opts.threads, label: 'stats-chunk' });
    return new ChunkReducer(made.session, made.provider, made.fallbackReason, opts);
  }

  private async maskedSession(): Promise<Session> {
    if (!this.masked) {
      // Same provider as the fast graph: one result, one provider.
      const made = await createSession(buildStatsGraph('masked'), { provider: this.provider, threads: this.opts.threads, label: 'stats-chunk-masked' });
      this.masked = made.session;
    }
    return this.masked;
  }

  private async sumsSession(): Promise<Session> {
    if (!this.sums) {
      const made = await createSession(buildStatsGraph('sums'), { provider: this.provider, threads: this.opts.threads, label: 'stats-sums' });
      this.sums = made.session;
    }
    return this.sums;
  }

  /**
   * Moments of a finite chunk from its deviations d = fl32(x − k) (formed by the host, see shiftKernel.ts) and
   * its exact min and max. Returns undefined when the float32 sums cannot be trusted (values whose squares leave
   * float32's normal range, or non-finite sums): the caller then reduces x itself with `reduce`.
   */
  async reduceDeviations(d: Float32Array, k: number, min: number, max: number): Promise<Moments | undefined> {
    const n = d.length;
    if (n === 0) return momentsOf(d);
    if (n > MAX_CHUNK_ELEMENTS) throw new EngineError('stats-chunk', `chunk of ${n} elements exceeds ${MAX_CHUNK_ELEMENTS}`, { rule: 'chunk size bound' });
    const absmax = Math.max(Math.abs(min), Math.abs(max));
    if (!(absmax === 0 || (absmax >= TINY && absmax <= HUGE))) return undefined;
    const session = await this.sumsSession();
    const ort = session.ort;
    const body = n - (n % ROW_LENGTH);
    let sumD = 0, sumSqD = 0;
    for (const [start, end] of [[0, body], [body, n]]) {
      if (end === start) continue;
      const len = end - start;
      const cols = len >= ROW_LENGTH ? ROW_LENGTH : len;
      const r = await session.run({ d: new ort.Tensor('float32', d.subarray(start, end), [len / cols, cols]) });
      sumD += total(r.sum_d);
      sumSqD += total(r.sumsq_d);
    }
    if (!Number.isFinite(sumD) || !Number.isFinite(sumSqD)) return undefined;
    this.counters.sums++;
    return momentsFromShiftedSums(n, k, sumD, sumSqD, min, max, 0, 0);
  }

  /**
   * Moments of x (all of it). `shift` should be near the data's mean (the caller passes the running mean of the
   * tensor, or NaN to let the first finite value of the chunk serve).
   */
  async reduce(x: Float32Array, shift = NaN): Promise<Moments> {
    const n = x.length;
    if (n === 0) return momentsOf(x);
    if (n > MAX_CHUNK_ELEMENTS) throw new EngineError('stats-chunk', `chunk of ${n} elements exceeds ${MAX_CHUNK_ELEMENTS}`, { rule: 'chunk size bound' });
    if (!Number.isFinite(shift)) shift = firstFinite(x);
    this.shiftBuf[0] = shift;
    const k = this.shiftBuf[0]; // the float32 value the graph subtracts
    const body = n - (n % ROW_LENGTH);
    const parts: Float32Array[] = [];
    if (body > 0) parts.push(x.subarray(0, body));
    if (body < n) parts.push(x.subarray(body));
    let acc: Moments | undefined;
    for (const part of parts) {
      const m = await this.reducePart(part, k);
      acc = acc ? combineMoments(acc, m) : m;
    }
    return acc!;
  }

  private async reducePart(x: Float32Array, k: number): Promise<Moments> {
    const n = x.length;
    const cols = n >= ROW_LENGTH ? ROW_LENGTH : n;
    const rows = n / cols;
    const ort = this.fast.ort;
    const feeds = { x: new ort.Tensor('float32', x, [rows, cols]), k: new ort.Tensor('float32', this.shiftBuf, []) };
    const r = await this.fast.run(feeds);
    const sumD = total(r.sum_d), sumSqD = total(r.sumsq_d);
    const lo = lowest(r.min), hi = highest(r.max);
    const absmax = Math.max(Math.abs(lo), Math.abs(hi));
    if (Number.isFinite(sumD) && Number.isFinite(sumSqD) && (absmax === 0 || (absmax >= TINY && absmax <= HUGE))) {
      this.counters.fast++;
      return momentsFromShiftedSums(n, k, sumD, sumSqD, lo, hi, 0, 0);
    }
    const masked = await this.maskedSession();
    const runMasked = async (scale: number): Promise<Moments | undefined> => {
      this.scaleBuf[0] = scale;
      const m = await masked.run({ ...feeds, s: new ort.Tensor('float32', this.scaleBuf, []) });
      const nan = total(m.nan_count), inf = total(m.inf_count);
      const mSum = total(m.sum_d), mSq = total(m.sumsq_d);
      if (!Number.isFinite(mSum) || !Number.isFinite(mSq)) return undefined;
      return momentsFromShiftedSums(n - nan - inf, k, mSum / scale, mSq / (scale * scale), lowest(m.min), highest(m.max), nan, inf);
    };
    let got = await runMasked(1);
    const finiteAbsmax = got && got.count > 0 ? Math.max(Math.abs(got.min), Math.abs(got.max)) : 0;
    if (!got || (finiteAbsmax > 0 && (finiteAbsmax < TINY || finiteAbsmax > HUGE))) {
      // Rescale by a power of two (exact) so the largest deviation is near 1; unknown magnitude → the float32 max.
      const ref = finiteAbsmax > 0 ? finiteAbsmax : 3.4e38;
      got = await runMasked(2 ** -Math.ceil(Math.log2(ref)));
    }
    if (got) {
      this.counters.masked++;
      return got;
    }
    this.counters.host++;
    return momentsOf(x);
  }

  async dispose(): Promise<void> {
    await this.fast.dispose();
    await this.masked?.dispose();
    await this.sums?.dispose();
  }
}

/** Row partials added in float64. */
function total(t: OrtModule.Tensor | undefined): number {
  const d = t!.data as Float32Array;
  let s = 0;
  for (let i = 0; i < d.length; i++) s += d[i];
  return s;
}

function lowest(t: OrtModule.Tensor | undefined): number {
  const d = t!.data as Float32Array;
  let m = Infinity;
  for (let i = 0; i < d.length; i++) if (d[i] < m) m = d[i];
  return m;
}

function highest(t: OrtModule.Tensor | undefined): number {
  const d = t!.data as Float32Array;
  let m = -Infinity;
  for (let i = 0; i < d.length; i++) if (d[i] > m) m = d[i];
  return m;
}

function firstFinite(x: Float32Array): number {
  for (let i = 0; i < x.length && i < 4096; i++) if (Number.isFinite(x[i])) return x[i];
  return 0;
}
