// Statistics of every tensor of a checkpoint, streamed: each file is read in order in chunks of at most
// `chunkElements` elements into two reused buffers (the next read runs while the current chunk is reduced). For
// BF16, F16 and F32 one host pass (shiftKernel.ts, WebAssembly SIMD) forms the shifted float32 deviations into a
// third buffer and finds min/max; the ORT sums graph reduces them; chunks are combined in float64. Chunks with
// NaN/Inf or extreme magnitudes, and other dtypes, are decoded to float32 and take the ORT fast/masked graphs.
// Memory is bounded by those three buffers whatever the model size. Cached files are not read at all.
import { throwIfAborted, type ProgressSink } from '../../core/errors';
import { DTYPES, FilePool, readRange, type CheckpointSource, type TensorRef } from '../../core/safetensors/index';
import { finalizeStats } from '../../core/stats/finalize';
import { combineMoments, emptyMoments, type Moments } from '../../core/stats/moments';
import type { TensorStatsEntry } from '../../core/stats/types';
import type { ProviderChoice } from '../providers';
import { ChunkReducer } from './chunkReducer';
import { reduceChunkInto } from './chunkStep';
import { ShiftKernel } from './shiftKernel';
import { fileKey, StatsCache, type CachedFile } from './statsCache';
import { MAX_CHUNK_ELEMENTS } from './statsGraph';

export interface StatsRunOptions {
  provider?: ProviderChoice;
  /** ORT intra-op threads (default: ORT's choice). */
  threads?: number;
  /** Elements per chunk (default 1 Mi; at most 4 Mi). Results do not depend on it beyond float rounding. */
  chunkElements?: number;
  signal?: AbortSignal;
  onProgress?: ProgressSink;
  /** A cache, or false for none (default: the user cache dir). */
  cache?: StatsCache | false;
  /** Equal contiguous slices along axis 0 to report separately (fused experts); 1 = the whole tensor only. */
  slicesFor?: (ref: TensorRef) => number;
}

export interface SkippedTensor {
  name: string;
  dtype: string;
  reason: string;
}

export interface CheckpointStats {
  root: string;
  /** The provider that computed the statistics of this run's files ('cpu', 'webgpu', 'cuda'); for fully cached
   *  checkpoints, the provider recorded in the cache. */
  provider: string;
  fallbackReason?: string;
  tensors: TensorStatsEntry[];
  skipped: SkippedTensor[];
  /** Tensor bytes read and reduced in this run (0 when everything came from the cache). */
  bytesRead: number;
  filesFromCache: number;
  filesComputed: number;
  seconds: number;
}

export const DEFAULT_CHUNK_ELEMENTS = 1 << 20;

interface Work {
  ref: TensorRef;
  slice: number;
  /** Absolute file position and byte length of this chunk. */
  pos: number;
  len: number;
}

export async function computeCheckpointStats(src: CheckpointSource, opts: StatsRunOptions = {}): Promise<CheckpointStats> {
  const t0 = performance.now();
  const chunkElements = Math.max(1, Math.min(opts.chunkElements ?? DEFAULT_CHUNK_ELEMENTS, MAX_CHUNK_ELEMENTS));
  const cache = opts.cache === false ? undefined : (opts.cache ?? new StatsCache());
  const slicesFor = opts.slicesFor ?? (() => 1);
  const byFile = new Map<string, TensorRef[]>();
  const skipped: SkippedTensor[] = [];
  for (const ref of src.tensors.values()) {
    if (!DTYPES[ref.dtype]?.float32) {
      skipped.push({ name: ref.name, dtype: ref.dtype, reason: `${ref.dtype} has no float32 conversion` });
      continue;
    }
    const list = byFile.get(ref.file) ?? [];
    list.push(ref);
    byFile.set(ref.file, list);
  }
  const totalBytes = [...byFile.values()].flat().reduce((s, r) => s + r.byteLength, 0);

  const out = new Map<string, TensorStatsEntry>();
  let reducer: ChunkReducer | undefined;
  let cachedProvider: string | undefined;
  let cachedReason: string | undefined;
  let bytesRead = 0, done = 0, fromCache = 0, computed = 0;
  const pool = new FilePool();
  const maxElemBytes = 8;
  const kernel = acquireKernel(chunkElements, chunkElements * maxElemBytes);
  try {
    for (const [file, refs] of byFile) {
      throwIfAborted(opts.signal);
      refs.sort((a, b) => a.offset - b.offset);
      const key = cache ? await fileKey(file) : undefined;
      const hit = key && cache ? await cache.get(key) : undefined;
      const usable = hit && cachedCovers(hit, refs, slicesFor);
      if (usable) {
        for (const e of hit.tensors) out.set(e.name, e);
        cachedProvider ??= hit.provider;
        cachedReason ??= hit.fallbackReason;
        fromCache++;
        done += refs.reduce((s, r) => s + r.byteLength, 0);
        opts.onProgress?.({ done, total: totalBytes, unit: 'bytes', message: `cached ${file}` });
        continue;
      }
      reducer ??= await ChunkReducer.create({ provider: opts.provider, threads: opts.threads });
      const entries = await reduceFile(reducer, pool, refs, slicesFor, chunkElements, kernel, opts, (n) => {
        bytesRead += n;
        done += n;
        opts.onProgress?.({ done, total: totalBytes, unit: 'bytes' });
      });
      computed++;
      for (const e of entries) out.set(e.name, e);
      if (cache && key) {
        await cache.put({ key, provider: reducer.provider, ...(reducer.fallbackReason ? { fallbackReason: reducer.fallbackReason } : {}), tensors: entries });
      }
    }
  } finally {
    releaseKernel(kernel);
    await pool.close();
    await reducer?.dispose();
  }
  const provider = reducer?.provider ?? cachedProvider ?? 'cpu';
  const fallbackReason = reducer ? reducer.fallbackReason : cachedReason;
  const tensors = [...src.tensors.keys()].filter((n) => out.has(n)).map((n) => out.get(n)!);
  return {
    root: src.root, provider, ...(fallbackReason ? { fallbackReason } : {}), tensors, skipped, bytesRead,
    filesFromCache: fromCache, filesComputed: computed, seconds: (performance.now() - t0) / 1000,
  };
}

// One idle kernel (its WebAssembly memory holds the read buffers and the float32 chunk) is kept for the next run:
// memory already touched is much faster to write than fresh pages. Concurrent runs each get their own.
let idleKernel: ShiftKernel | undefined;

function acquireKernel(elements: number, readBytes: number): ShiftKernel {
  const k = idleKernel;
  if (k && k.elements === elements && k.readBytes === readBytes) {
    idleKernel = undefined;
    return k;
  }
  return new ShiftKernel(elements, readBytes);
}

function releaseKernel(k: ShiftKernel): void {
  idleKernel = k;
}

function sliceCount(ref: TensorRef, slicesFor: (ref: TensorRef) => number): number {
  const s = Math.max(1, Math.floor(slicesFor(ref)));
  const numel = ref.shape.reduce((a, b) => a * b, 1);
  return s > 1 && numel % s === 0 ? s : 1;
}

function cachedCovers(hit: CachedFile, refs: TensorRef[], slicesFor: (ref: TensorRef) => number): boolean {
  const byName = new Map(hit.tensors.map((e) => [e.name, e]));
  return refs.every((r) => {
    const e = byName.get(r.name);
    if (!e || e.dtype !== r.dtype || e.shape.join(',') !== r.shape.join(',')) return false;
    const s = sliceCount(r, slicesFor);
    return s === 1 ? true : e.slices?.length === s;
  });
}

async function reduceFile(
  reducer: ChunkReducer, pool: FilePool, refs: TensorRef[], slicesFor: (ref: TensorRef) => number, chunkElements: number,
  kernel: ShiftKernel, opts: StatsRunOptions, progress: (bytes: number) => void,
): Promise<TensorStatsEntry[]> {
  // The work list: chunks never cross a slice (or tensor) boundary.
  const work: Work[] = [];
  const slices = new Map<string, Moments[]>();
  for (const ref of refs) {
    const s = sliceCount(ref, slicesFor);
    slices.set(ref.name, Array.from({ length: s }, emptyMoments));
    const elemBytes = DTYPES[ref.dtype].bits / 8;
    const sliceBytes = ref.byteLength / s;
    const chunkBytes = chunkElements * elemBytes;
    for (let i = 0; i < s; i++) {
      for (let p = 0; p < sliceBytes; p += chunkBytes) {
        work.push({ ref, slice: i, pos: ref.offset + i * sliceBytes + p, len: Math.min(chunkBytes, sliceBytes - p) });
      }
    }
  }
  const bufs = [kernel.input(0), kernel.input(1)];
  const read = (w: Work, buf: Uint8Array) => readRange(pool, w.ref.file, w.pos, w.len, buf);
  let pending = work.length ? read(work[0], bufs[0]) : undefined;
  for (let i = 0; i < work.length; i++) {
    throwIfAborted(opts.signal);
    const w = work[i];
    const bytes = await pending!;
    // Start the next read before reducing this chunk: disk (a libuv thread) and the reduction overlap.
    pending = i + 1 < work.length ? read(work[i + 1], bufs[(i + 1) % 2]) : undefined;
    pending?.catch(() => undefined);
    const dtype = w.ref.dtype;
    const count = w.len / (DTYPES[dtype].bits / 8);
    const acc = slices.get(w.ref.name)![w.slice];
    await reduceChunkInto(kernel, reducer, dtype, bytes, count, acc, { file: w.ref.file, tensor: w.ref.name });
    progress(w.len);
  }
  return refs.map((ref) => {
    const parts = slices.get(ref.name)!;
    const whole = parts.reduce((a, m) => combineMoments(a, m), emptyMoments());
    const numel = ref.shape.reduce((a, b) => a * b, 1);
    const entry: TensorStatsEntry = { name: ref.name, dtype: ref.dtype, shape: [...ref.shape], file: ref.file, stats: finalizeStats(whole, numel) };
    if (parts.length > 1) entry.slices = parts.map((m) => finalizeStats(m, numel / parts.length));
    return entry;
  });
}
