// Reading one .safetensors file's header: sniff (9 bytes), then at most two positioned reads (a first 64 KiB
// that usually holds the whole header, then the rest). Tensor bytes are never read here.
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

const FIRST_READ = 64 * 1024;

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

export async function readSafetensorsHeader(path: string, opts: { signal?: AbortSignal } = {}): Promise<SafetensorsHeader> {
  const file = resolve(path);
  throwIfAborted(opts.signal);
  let fh: FileHandle;
  try {
    fh = await open(file, 'r');
  } catch (e) {
    throw fail('shortRead', `cannot open: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file }, e);
  }
  try {
    const fileSize = (await fh.stat()).size;
    if (fileSize < 8) throw fail('fileTooSmall', `${fileSize} bytes`, { file });
    const first = Buffer.allocUnsafe(Math.min(FIRST_READ, fileSize));
    await readFully(fh, first, 0, file);
    const big = first.readBigUInt64LE(0);
    if (big > BigInt(MAX_HEADER_BYTES)) throw fail('headerTooLarge', `${big} bytes`, { file });
    const n = Number(big);
    if (8 + n > fileSize) throw fail('headerPastEnd', `header of ${n} bytes, file of ${fileSize}`, { file });
    let json: Uint8Array;
    if (8 + n <= first.length) json = first.subarray(8, 8 + n);
    else {
      const whole = Buffer.allocUnsafe(n);
      first.copy(whole, 0, 8);
      await readFully(fh, whole.subarray(first.length - 8), first.length, file);
      json = whole;
    }
    throwIfAborted(opts.signal);
    const { metadata, tensors } = parseHeader(json, file, fileSize - 8 - n);
    const headerSha256 = createHash('sha256').update(json).digest('hex');
    return { file, fileSize, headerLength: n, dataOffset: 8 + n, metadata, tensors, headerSha256 };
  } finally {
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
