// One OutTensor per plan tensor: bytes flow source → (decode, noise, encode when needed) → sink in chunks of whole
// elements, through buffers shared by every tensor of a run (fresh memory is slow to touch here).
import { PlanError } from '../errors';
import { addNormal, makeStream, uniformWord } from '../rng/index';
import { decodeToFloat32, DTYPES, encodeFromFloat32, readRange, type FilePool, type OutTensor, type TensorSink } from '../safetensors/index';
import type { NoiseSpec, PlanTensor } from './types';

export interface WriterContext {
  pool: FilePool;
  chunkBytes: number;
  /** Shared scratch: raw bytes in/out and float32 values. */
  u8: Uint8Array;
  out8: Uint8Array;
  f32: Float32Array;
  z32: Float32Array;
  zeros: Uint8Array;
}

export function makeWriterContext(pool: FilePool, chunkBytes: number): WriterContext {
  const c = Math.max(64, chunkBytes);
  return {
    pool, chunkBytes: c, u8: new Uint8Array(c), out8: new Uint8Array(c),
    f32: new Float32Array(c), z32: new Float32Array(c), zeros: new Uint8Array(Math.min(c, 1 << 20)),
  };
}

function elemBytes(t: PlanTensor): number {
  const bits = DTYPES[t.dtype].bits;
  if (bits % 8) throw new PlanError('plan', `${t.dtype} elements are not whole bytes; only copy and zero apply`, { tensor: t.name });
  return bits / 8;
}

async function copyRange(ctx: WriterContext, sink: TensorSink, file: string, offset: number, length: number): Promise<void> {
  for (let done = 0; done < length; ) {
    const n = Math.min(ctx.u8.length, length - done);
    await sink.write(await readRange(ctx.pool, file, offset + done, n, ctx.u8));
    done += n;
  }
}

function sigmaOf(n: NoiseSpec, name: string): number {
  if (n.sigma === null) throw new PlanError('plan', 'noise scale not resolved: run resolveNoiseScales first', { tensor: name, key: n.scale });
  return n.alpha * n.sigma;
}

/** Source elements [start, start+count) of a range, plus noise numbered from `zStart`, encoded and written. */
async function noisyRange(ctx: WriterContext, sink: TensorSink, t: PlanTensor, byteOffset: number, count: number, noise: NoiseSpec, zStart: number): Promise<void> {
  const size = elemBytes(t);
  const per = Math.floor(ctx.chunkBytes / size);
  const s = sigmaOf(noise, t.name);
  const st = makeStream(noise.seed, t.name);
  const src = t.source!;
  for (let done = 0; done < count; ) {
    const k = Math.min(per, count - done);
    const bytes = await readRange(ctx.pool, src.file, byteOffset + done * size, k * size, ctx.u8);
    decodeToFloat32(src.dtype, bytes, ctx.f32, k);
    addNormal(ctx.f32, k, s, st, zStart + done);
    encodeFromFloat32(t.dtype, ctx.f32, ctx.out8, k);
    await sink.write(ctx.out8.subarray(0, k * size));
    done += k;
  }
}

/** Drop-Upcycling's channel choice: the `count` channels with the smallest Philox words of the channel stream. */
export function dropChannels(channels: number, count: number, seed: number, channelStream: string): Uint8Array {
  const st = makeStream(seed, channelStream);
  const keys = new Float64Array(channels);
  for (let c = 0; c < channels; c++) keys[c] = uniformWord(st, c);
  const idx = Array.from({ length: channels }, (_, c) => c).sort((a, b) => keys[a] - keys[b] || a - b);
  const mask = new Uint8Array(channels);
  for (let i = 0; i < count; i++) mask[idx[i]] = 1;
  return mask;
}

export function planTensorWriter(t: PlanTensor, ctx: WriterContext): OutTensor {
  const head = { name: t.name, dtype: t.dtype, shape: t.shape, byteLength: t.byteLength };
  const tr = t.transform;
  const src = t.source;
  switch (tr.op) {
    case 'copy':
      return { ...head, write: (sink) => copyRange(ctx, sink, src!.file, src!.offset, src!.byteLength) };
    case 'zero':
      return {
        ...head,
        async write(sink) {
          for (let done = 0; done < t.byteLength; ) {
            const n = Math.min(ctx.zeros.length, t.byteLength - done);
            await sink.write(ctx.zeros.subarray(0, n));
            done += n;
          }
        },
      };
    case 'noise':
      return { ...head, write: (sink) => noisyRange(ctx, sink, t, src!.offset, src!.byteLength / elemBytes(t), tr.noise, 0) };
    case 'slice':
      return {
        ...head,
        async write(sink) {
          const rowBytes = src!.byteLength / src!.shape[0];
          const rowElems = t.shape.slice(1).reduce((a, b) => a * b, 1);
          for (const p of tr.pieces) {
            const off = src!.offset + p.rows[0] * rowBytes;
            const rows = p.rows[1] - p.rows[0];
            if (p.noise) await noisyRange(ctx, sink, t, off, rows * rowElems, p.noise, p.at * rowElems);
            else await copyRange(ctx, sink, src!.file, off, rows * rowBytes);
          }
        },
      };
    case 'init':
      return {
        ...head,
        async write(sink) {
          const size = elemBytes(t);
          const per = Math.floor(ctx.chunkBytes / size);
          const numel = t.byteLength / size;
          const st = makeStream(tr.seed, t.name);
          for (let done = 0; done < numel; ) {
            const k = Math.min(per, numel - done);
            addNormal(ctx.f32, k, tr.std, st, done, true, tr.mean);
            encodeFromFloat32(t.dtype, ctx.f32, ctx.out8, k);
            await sink.write(ctx.out8.subarray(0, k * size));
            done += k;
          }
        },
      };
    case 'drop':
      return {
        ...head,
        async write(sink) {
          if (tr.mean === null || tr.std === null) throw new PlanError('plan', 'drop statistics not resolved: run resolveNoiseScales first', { tensor: t.name, key: tr.scale });
          const size = elemBytes(t);
          const per = Math.floor(ctx.chunkBytes / size);
          const numel = t.byteLength / size;
          const mask = dropChannels(tr.channels, tr.count, tr.seed, tr.channelStream);
          const cols = t.shape[1];
          const st = makeStream(tr.seed, t.name);
          const s = tr.noise ? sigmaOf(tr.noise, t.name) : 0;
          for (let done = 0; done < numel; ) {
            const k = Math.min(per, numel - done);
            const bytes = await readRange(ctx.pool, src!.file, src!.offset + done * size, k * size, ctx.u8);
            decodeToFloat32(src!.dtype, bytes, ctx.f32, k);
            addNormal(ctx.z32, k, 1, st, done, true, 0);
            for (let i = 0; i < k; i++) {
              const e = done + i;
              const ch = tr.axis === 0 ? Math.floor(e / cols) : e % cols;
              if (mask[ch]) ctx.f32[i] = tr.mean + tr.std * ctx.z32[i];
              else if (s) ctx.f32[i] = ctx.f32[i] + s * ctx.z32[i];
            }
            encodeFromFloat32(t.dtype, ctx.f32, ctx.out8, k);
            await sink.write(ctx.out8.subarray(0, k * size));
            done += k;
          }
        },
      };
  }
}
