// Comparing two checkpoints tensor by tensor, streamed in chunks: added, removed, shape/dtype changes, and for
// tensors present in both with the same shape, max |B − A| and the relative noise std std(B − A) / std(A).
import { throwIfAborted } from '../errors';
import { decodeToFloat32, DTYPES, FilePool, readRange, type CheckpointSource, type TensorRef } from '../safetensors/index';

export interface TensorDiff {
  name: string;
  identical: boolean;
  maxAbsDiff: number;
  /** std(B − A) / std(A) (population stds); NaN when std(A) is 0 and B differs. */
  relNoiseStd: number;
}

export interface CheckpointDiff {
  added: { name: string; dtype: string; shape: number[] }[];
  removed: { name: string; dtype: string; shape: number[] }[];
  changed: { name: string; from: { dtype: string; shape: number[] }; to: { dtype: string; shape: number[] } }[];
  compared: TensorDiff[];
}

/** Scratch buffers shared by every comparison of a run (bytes of A and B, their float32 values). */
export interface DiffBuffers { a: Uint8Array; b: Uint8Array; fa: Float32Array; fb: Float32Array }

export function makeDiffBuffers(chunkBytes = 8 << 20): DiffBuffers {
  const c = Math.max(64, chunkBytes);
  return { a: new Uint8Array(c), b: new Uint8Array(c), fa: new Float32Array(c), fb: new Float32Array(c) };
}

export interface RangeDiff {
  identical: boolean;
  maxAbsDiff: number;
  /** std(B − A) / std(A) (population stds); NaN when std(A) is 0 and B differs, or for non-float dtypes that differ. */
  relNoiseStd: number;
  /** std(A) (population); NaN for non-float dtypes. */
  stdA: number;
}

const numelOf = (r: TensorRef) => r.shape.reduce((x, y) => x * y, 1);

/**
 * Elements [aStart, aStart+count) of `a` against [bStart, bStart+count) of `b`, streamed in chunks of the shared
 * buffers. Float dtypes (either side's) are compared as float32 values; others byte for byte (same dtype only).
 */
export async function compareRange(a: TensorRef, aStart: number, b: TensorRef, bStart: number, count: number, pa: FilePool, pb: FilePool, bufs: DiffBuffers, signal?: AbortSignal): Promise<RangeDiff> {
  const sizeA = DTYPES[a.dtype].bits / 8;
  const sizeB = DTYPES[b.dtype].bits / 8;
  const floaty = DTYPES[a.dtype].float32 && DTYPES[b.dtype].float32 && Number.isInteger(sizeA) && Number.isInteger(sizeB);
  const sameDtype = a.dtype === b.dtype;
  if (!floaty && !sameDtype) return { identical: false, maxAbsDiff: NaN, relNoiseStd: NaN, stdA: NaN };
  // Non-float (e.g. packed 4-bit) data: whole bytes when elements are, else the whole tensors.
  const unitA = floaty ? sizeA : 1;
  const unitB = floaty ? sizeB : 1;
  const whole = !floaty && !Number.isInteger(sizeA);
  const offA = a.offset + (whole ? 0 : aStart * sizeA);
  const offB = b.offset + (whole ? 0 : bStart * sizeB);
  const total = floaty ? count : whole ? a.byteLength : count * sizeA;
  const per = floaty ? Math.min(bufs.fa.length, Math.floor(bufs.a.length / Math.max(sizeA, sizeB))) : bufs.a.length;
  let identical = true;
  let maxAbs = 0;
  let n = 0, sa = 0, saa = 0, sd = 0, sdd = 0;
  for (let done = 0; done < total; ) {
    throwIfAborted(signal);
    const k = Math.min(per, total - done);
    const xa = await readRange(pa, a.file, offA + done * unitA, k * unitA, bufs.a);
    const xb = await readRange(pb, b.file, offB + done * unitB, k * unitB, bufs.b);
    let differ = sameDtype ? Buffer.compare(xa, xb) !== 0 : true;
    if (floaty) {
      decodeToFloat32(a.dtype, xa, bufs.fa, k);
      if (differ) {
        decodeToFloat32(b.dtype, xb, bufs.fb, k);
        if (!sameDtype) differ = false;
        for (let i = 0; i < k; i++) {
          const va = bufs.fa[i];
          const d = bufs.fb[i] - va;
          const ad = Math.abs(d);
          if (ad > maxAbs) maxAbs = ad;
          if (!sameDtype && !Object.is(bufs.fb[i], va)) differ = true;
          sa += va; saa += va * va; sd += d; sdd += d * d;
        }
      } else {
        for (let i = 0; i < k; i++) { sa += bufs.fa[i]; saa += bufs.fa[i] * bufs.fa[i]; }
      }
    }
    if (differ) identical = false;
    n += k;
    done += k;
  }
  if (!floaty) return { identical, maxAbsDiff: identical ? 0 : NaN, relNoiseStd: identical ? 0 : NaN, stdA: NaN };
  const varA = n ? Math.max(0, saa / n - (sa / n) ** 2) : 0;
  const varD = n ? Math.max(0, sdd / n - (sd / n) ** 2) : 0;
  const rel = identical ? 0 : varA > 0 ? Math.sqrt(varD / varA) : NaN;
  return { identical, maxAbsDiff: identical ? 0 : maxAbs, relNoiseStd: rel, stdA: Math.sqrt(varA) };
}

async function compare(a: TensorRef, b: TensorRef, pa: FilePool, pb: FilePool, bufs: DiffBuffers, signal?: AbortSignal): Promise<TensorDiff> {
  const r = await compareRange(a, 0, b, 0, numelOf(a), pa, pb, bufs, signal);
  return { name: a.name, identical: r.identical, maxAbsDiff: r.maxAbsDiff, relNoiseStd: r.relNoiseStd };
}

export async function diffCheckpoints(a: CheckpointSource, b: CheckpointSource, opts: { signal?: AbortSignal; chunkBytes?: number; onTensor?: (done: number, total: number) => void } = {}): Promise<CheckpointDiff> {
  const out: CheckpointDiff = { added: [], removed: [], changed: [], compared: [] };
  for (const [name, r] of b.tensors) if (!a.tensors.has(name)) out.added.push({ name, dtype: r.dtype, shape: r.shape });
  const both: [TensorRef, TensorRef][] = [];
  for (const [name, r] of a.tensors) {
    const s = b.tensors.get(name);
    if (!s) out.removed.push({ name, dtype: r.dtype, shape: r.shape });
    else if (s.dtype !== r.dtype || s.shape.join() !== r.shape.join()) out.changed.push({ name, from: { dtype: r.dtype, shape: r.shape }, to: { dtype: s.dtype, shape: s.shape } });
    else both.push([r, s]);
  }
  const bufs = makeDiffBuffers(opts.chunkBytes);
  const pa = new FilePool();
  const pb = new FilePool();
  try {
    let i = 0;
    for (const [r, s] of both) {
      out.compared.push(await compare(r, s, pa, pb, bufs, opts.signal));
      opts.onTensor?.(++i, both.length);
    }
  } finally {
    await pa.close();
    await pb.close();
  }
  return out;
}
