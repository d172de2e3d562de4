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

async function compare(a: TensorRef, b: TensorRef, pa: FilePool, pb: FilePool, bufs: { a: Uint8Array; b: Uint8Array; fa: Float32Array; fb: Float32Array }, signal?: AbortSignal): Promise<TensorDiff> {
  const size = DTYPES[a.dtype].bits / 8;
  const floaty = DTYPES[a.dtype].float32 && Number.isInteger(size);
  const per = floaty ? Math.min(bufs.fa.length, Math.floor(bufs.a.length / size)) : bufs.a.length;
  const total = floaty ? a.byteLength / size : a.byteLength;
  let identical = true;
  let maxAbs = 0;
  let n = 0, sa = 0, saa = 0, sd = 0, sdd = 0;
  for (let done = 0; done < total; ) {
    throwIfAborted(signal);
    const k = Math.min(per, total - done);
    const unit = floaty ? size : 1;
    const xa = await readRange(pa, a.file, a.offset + done * unit, k * unit, bufs.a);
    const xb = await readRange(pb, b.file, b.offset + done * unit, k * unit, bufs.b);
    if (identical && Buffer.compare(xa, xb) !== 0) identical = false;
    if (floaty && !identical) {
      decodeToFloat32(a.dtype, xa, bufs.fa, k);
      decodeToFloat32(b.dtype, xb, bufs.fb, k);
      for (let i = 0; i < k; i++) {
        const va = bufs.fa[i];
        const d = bufs.fb[i] - va;
        const ad = Math.abs(d);
        if (ad > maxAbs) maxAbs = ad;
        sa += va; saa += va * va; sd += d; sdd += d * d;
      }
    } else if (floaty) {
      decodeToFloat32(a.dtype, xa, bufs.fa, k);
      for (let i = 0; i < k; i++) { sa += bufs.fa[i]; saa += bufs.fa[i] * bufs.fa[i]; }
    }
    n += k;
    done += k;
  }
  if (!floaty) return { name: a.name, identical, maxAbsDiff: identical ? 0 : NaN, relNoiseStd: identical ? 0 : NaN };
  const varA = Math.max(0, saa / n - (sa / n) ** 2);
  const varD = Math.max(0, sdd / n - (sd / n) ** 2);
  const rel = identical ? 0 : varA > 0 ? Math.sqrt(varD / varA) : NaN;
  return { name: a.name, identical, maxAbsDiff: maxAbs, relNoiseStd: rel };
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
  const chunk = opts.chunkBytes ?? 8 << 20;
  const bufs = { a: new Uint8Array(chunk), b: new Uint8Array(chunk), fa: new Float32Array(chunk), fb: new Float32Array(chunk) };
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
