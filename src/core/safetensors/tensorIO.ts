// Tensor bytes, read lazily: a pool of open file handles, positioned reads that loop until complete, chunked
// streaming for tensors of any size (a > 2 GB tensor never lives in memory whole), float32 for small ones.
import { open, type FileHandle } from 'node:fs/promises';
import { alignmentBytes, decodeToFloat32, DTYPES } from './dtypes';
import { fail } from './rules';
import type { TensorRef } from './types';

/** Opens files on first use and keeps them open until `close()`. */
export class FilePool {
  private readonly handles = new Map<string, Promise<FileHandle>>();

  get(file: string): Promise<FileHandle> {
    let h = this.handles.get(file);
    if (!h) {
      h = open(file, 'r').catch((e: NodeJS.ErrnoException) => {
        this.handles.delete(file);
        throw fail('shortRead', `cannot open: ${e.code ?? e.message}`, { file }, e);
      });
      this.handles.set(file, h);
    }
    return h;
  }

  async close(): Promise<void> {
    const hs = [...this.handles.values()];
    this.handles.clear();
    await Promise.all(hs.map(async (h) => (await h.catch(() => undefined))?.close()));
  }
}

// One read call is limited to 2 GiB - 1 by Node; stay well below.
const MAX_READ = 1 << 30;

/** Reads `length` bytes at `position` of `file` into `into` (or a new buffer); a short file is an error. */
export async function readRange(pool: FilePool, file: string, position: number, length: number, into?: Uint8Array): Promise<Uint8Array> {
  const out = into ? into.subarray(0, length) : new Uint8Array(length);
  if (out.length < length) throw new RangeError(`readRange: buffer of ${into!.length} bytes for ${length}`);
  const fh = await pool.get(file);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(out, done, Math.min(length - done, MAX_READ), position + done);
    if (bytesRead === 0) throw fail('shortRead', `got ${done} of ${length} bytes at offset ${position}`, { file });
    done += bytesRead;
  }
  return out;
}

/** Streams a tensor's bytes as views of one reused buffer, each a whole number of elements (for sub-byte dtypes,
 *  of the smallest byte-aligned group). Consume each chunk before asking for the next. */
export async function* tensorChunks(pool: FilePool, ref: TensorRef, chunkBytes: number, buffer?: Uint8Array): AsyncGenerator<Uint8Array> {
  const unit = alignmentBytes(ref.dtype);
  const want = Math.min(chunkBytes, buffer?.length ?? Infinity, ref.byteLength);
  const chunk = Math.max(unit, Math.floor(want / unit) * unit);
  const buf = buffer && buffer.length >= chunk ? buffer : new Uint8Array(chunk);
  for (let done = 0; done < ref.byteLength; ) {
    const n = Math.min(chunk, ref.byteLength - done);
    yield await readRange(pool, ref.file, ref.offset + done, n, buf);
    done += n;
  }
}

/** The whole tensor's bytes (small tensors: the result is one allocation of byteLength). */
export function readTensorBytes(pool: FilePool, ref: TensorRef): Promise<Uint8Array> {
  return readRange(pool, ref.file, ref.offset, ref.byteLength);
}

const DECODE_CHUNK = 8 << 20;

/** The tensor as float32 (small tensors); decodes in chunks so only the output is allocated whole. */
export async function readTensorFloat32(pool: FilePool, ref: TensorRef): Promise<Float32Array> {
  const info = DTYPES[ref.dtype];
  if (!info.float32) throw fail('notConvertible', ref.dtype, { file: ref.file, tensor: ref.name });
  const size = info.bits / 8;
  const numel = ref.byteLength / size;
  const out = new Float32Array(numel);
  let at = 0;
  for await (const chunk of tensorChunks(pool, ref, DECODE_CHUNK)) {
    const n = chunk.length / size;
    decodeToFloat32(ref.dtype, chunk, out.subarray(at, at + n), n);
    at += n;
  }
  return out;
}
