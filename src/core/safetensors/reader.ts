// Reading one .safetensors file's header: sniff (9 bytes), then at most two positioned reads (a first 256 KiB into
// a reused buffer, which usually holds the whole header, then the rest). Tensor bytes are never read here.
import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { resolve } from 'node:path';
import { throwIfAborted } from '../errors';
import { MAX_HEADER_BYTES, parseHeader } from './header';
import { fail } from './rules';
import type { TensorRef } from './types';

export interface SafetensorsHeader {
  /** Absolute path. */
  file: string;
  fileSize: number;
  /** N, the JSON header's length in bytes. */
  headerLength: number;
  /** 8 + N: where the data section starts. */
  dataOffset: number;
  metadata: Record<string, string>;
  /** In offset order. */
  tensors: TensorRef[];
  /** SHA-256 of the N header bytes, hex: identifies a file's layout without reading its data. */
  headerSha256: string;
}

/** True when `path` starts like a safetensors file: a plausible header length, then '{'. Never throws. */
export async function sniffSafetensors(path: string): Promise<boolean> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(path, 'r');
    const b = Buffer.alloc(9);
    const { bytesRead } = await fh.read(b, 0, 9, 0);
    if (bytesRead < 9 || b[8] !== 0x7b) return false;
    const n = b.readBigUInt64LE(0);
    return n >= 2n && n <= BigInt(MAX_HEADER_BYTES) && Number(n) + 8 <= (await fh.stat()).size;
  } catch {
    return false;
  } finally {
    await fh?.close();
  }
}

// Reused read buffers: freshly allocated memory is slow to touch, and a checkpoint's shards all need one.
const SCRATCH_BYTES = 256 * 1024;
const SCRATCH_KEEP = 4 << 20;
const scratchPool: Buffer[] = [];

export async function readSafetensorsHeader(path: string, opts: { signal?: AbortSignal } = {}): Promise<SafetensorsHeader> {
  const file = resolve(path);
  throwIfAborted(opts.signal);
  let fh: FileHandle;
  try {
    fh = await open(file, 'r');
  } catch (e) {
    throw fail('shortRead', `cannot open: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file }, e);
  }
  let scratch = scratchPool.pop() ?? Buffer.allocUnsafe(SCRATCH_BYTES);
  try {
    const fileSize = (await fh.stat()).size;
    if (fileSize < 8) throw fail('fileTooSmall', `${fileSize} bytes`, { file });
    // One positioned read usually covers the length and the whole header.
    const first = scratch.subarray(0, Math.min(scratch.length, fileSize));
    await readFully(fh, first, 0, file);
    const big = first.readBigUInt64LE(0);
    if (big > BigInt(MAX_HEADER_BYTES)) throw fail('headerTooLarge', `${big} bytes`, { file });
    const n = Number(big);
    if (8 + n > fileSize) throw fail('headerPastEnd', `header of ${n} bytes, file of ${fileSize}`, { file });
    if (8 + n > first.length) {
      const whole = Buffer.allocUnsafe(8 + n);
      first.copy(whole, 0);
      await readFully(fh, whole.subarray(first.length), first.length, file);
      scratch = whole;
    }
    const json = scratch.subarray(8, 8 + n);
    throwIfAborted(opts.signal);
    // parseHeader copies what it keeps (the names are slices of a decoded string): the buffer can be reused.
    const { metadata, tensors } = parseHeader(json, file, fileSize - 8 - n);
    const headerSha256 = createHash('sha256').update(json).digest('hex');
    return { file, fileSize, headerLength: n, dataOffset: 8 + n, metadata, tensors, headerSha256 };
  } finally {
    if (scratch.length <= SCRATCH_KEEP) scratchPool.push(scratch);
    await fh.close();
  }
}

async function readFully(fh: FileHandle, into: Uint8Array, position: number, file: string): Promise<void> {
  let done = 0;
  while (done < into.length) {
    const { bytesRead } = await fh.read(into, done, into.length - done, position + done);
    if (bytesRead === 0) throw fail('shortRead', `got ${done} of ${into.length} bytes at ${position}`, { file });
    done += bytesRead;
  }
}
