// Writing a checkpoint atomically: everything goes into a hidden temp folder beside `dest`, each file is fsynced,
// then the folder is renamed into place. Tensor bytes pass through two reused buffers (one filling while the other
// is written), so memory stays bounded whatever the model size.
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, open, rename, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { throwIfAborted, type ProgressSink } from '../errors';
import { byteLengthOf, isDType } from './dtypes';
import { buildHeader } from './header';
import { fail } from './rules';
import { tensorChunks, type FilePool } from './tensorIO';
import type { DType, TensorRef } from './types';

export interface TensorSink {
  /** Appends bytes of the current tensor; `chunk` may be reused by the caller once the promise resolves. */
  write(chunk: Uint8Array): Promise<void>;
}

export interface OutTensor {
  name: string;
  dtype: DType;
  shape: number[];
  byteLength: number;
  write(sink: TensorSink): Promise<void>;
}

export interface WriteSpec {
  tensors: OutTensor[];
  config?: Record<string, unknown> | null;
  extraFiles?: { name: string; from?: string; content?: string | Uint8Array }[];
  metadata?: Record<string, string>;
  shardBytes?: number;
  overwrite?: boolean;
  signal?: AbortSignal;
  onProgress?: ProgressSink;
}

export interface WriteResult {
  dest: string;
  /** Absolute paths of the files written, in `dest`. */
  files: string[];
  totalBytes: number;
  tensorCount: number;
}

const BUFFER_BYTES = 16 << 20;
const COPY_CHUNK = 16 << 20;

export async function writeCheckpoint(destPath: string, spec: WriteSpec): Promise<WriteResult> {
  const dest = resolve(destPath);
  throwIfAborted(spec.signal);
  const exists = await stat(dest).then(() => true, () => false);
  if (exists && !spec.overwrite) throw fail('destExists', 'refusing to overwrite', { file: dest });
  const shards = planShards(spec.tensors, spec.shardBytes ?? 5e9);
  const names = shards.length === 1 ? ['model.safetensors']
    : shards.map((_, i) => `model-${pad5(i + 1)}-of-${pad5(shards.length)}.safetensors`);
  const reserved = new Set([...names, 'config.json', 'model.safetensors.index.json']);
  for (const x of spec.extraFiles ?? []) {
    const ok = x.name && x.name === basename(x.name) && x.name !== '.' && x.name !== '..' && !reserved.has(x.name)
      && (x.from === undefined) !== (x.content === undefined);
    if (!ok) throw fail('badExtraFile', JSON.stringify(x.name), { file: dest, key: x.name });
    reserved.add(x.name);
  }

  await mkdir(dirname(dest), { recursive: true });
  // Hidden and never the destination itself: a killed process leaves at worst a dot-folder to delete.
  const tmp = join(dirname(dest), `.${basename(dest)}.graft-tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(tmp);
  try {
    const total = spec.tensors.reduce((s, t) => s + t.byteLength, 0);
    const progress = { done: 0, total, report: spec.onProgress };
    const buffers = [new Uint8Array(BUFFER_BYTES), new Uint8Array(BUFFER_BYTES)];
    for (let i = 0; i < shards.length; i++) {
      await writeShard(join(tmp, names[i]), shards[i], spec.metadata, buffers, progress, spec.signal);
    }
    if (shards.length > 1) {
      const weightMap: Record<string, string> = {};
      const entries: [string, string][] = [];
      shards.forEach((s, i) => s.forEach((t) => entries.push([t.name, names[i]])));
      // Hugging Face writes the index with sorted keys; sort by code point, like Python.
      entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      for (const [n, f] of entries) weightMap[n] = f;
      await writeSynced(join(tmp, 'model.safetensors.index.json'), indexJson(total, entries));
    }
    if (spec.config) await writeSynced(join(tmp, 'config.json'), JSON.stringify(spec.config, null, 2) + '\n');
    for (const x of spec.extraFiles ?? []) {
      throwIfAborted(spec.signal);
      if (x.from !== undefined) await copyFile(x.from, join(tmp, x.name));
      else await writeSynced(join(tmp, x.name), x.content!);
    }
    await syncDir(tmp);
    throwIfAborted(spec.signal);
    if (exists) {
      // Move the old folder aside first: rename cannot replace a non-empty folder.
      const old = `${tmp}-old`;
      await rename(dest, old);
      await rename(tmp, dest);
      await rm(old, { recursive: true, force: true });
    } else {
      await rename(tmp, dest);
    }
    await syncDir(dirname(dest));
    const files = [...names, ...(shards.length > 1 ? ['model.safetensors.index.json'] : []), ...(spec.config ? ['config.json'] : []),
      ...(spec.extraFiles ?? []).map((x) => x.name)].map((n) => join(dest, n));
    return { dest, files, totalBytes: total, tensorCount: spec.tensors.length };
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
}

function pad5(n: number): string {
  return String(n).padStart(5, '0');
}

function indexJson(total: number, entries: [string, string][]): string {
  // Built by hand so integer-like tensor names keep the sorted order (a JS object would move them first).
  const lines = entries.map(([n, f]) => `    ${JSON.stringify(n)}: ${JSON.stringify(f)}`);
  return `{\n  "metadata": {\n    "total_size": ${total}\n  },\n  "weight_map": {\n${lines.join(',\n')}\n  }\n}\n`;
}

function planShards(tensors: OutTensor[], shardBytes: number): OutTensor[][] {
  const seen = new Set<string>();
  for (const t of tensors) {
    const where = { tensor: t.name };
    if (typeof t.name !== 'string' || t.name === '' || t.name === '__metadata__' || seen.has(t.name)) {
      throw fail('badOutTensor', `name ${JSON.stringify(t.name)} is empty, reserved or repeated`, where);
    }
    seen.add(t.name);
    if (!isDType(t.dtype)) throw fail('badOutTensor', `dtype ${JSON.stringify(t.dtype)}`, where);
    if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw fail('badOutTensor', `shape ${JSON.stringify(t.shape)}`, where);
    const need = byteLengthOf(t.dtype, t.shape, where);
    if (t.byteLength !== need) throw fail('badOutTensor', `byteLength ${t.byteLength}, ${t.dtype} [${t.shape.join(', ')}] needs ${need}`, where);
  }
  const shards: OutTensor[][] = [[]];
  let size = 0;
  for (const t of tensors) {
    const cur = shards[shards.length - 1];
    if (cur.length > 0 && size + t.byteLength > shardBytes) {
      shards.push([t]);
      size = t.byteLength;
    } else {
      cur.push(t);
      size += t.byteLength;
    }
  }
  return shards;
}

interface Progress { done: number; total: number; report?: ProgressSink }

async function writeShard(file: string, tensors: OutTensor[], metadata: Record<string, string> | undefined,
  buffers: Uint8Array[], progress: Progress, signal: AbortSignal | undefined): Promise<void> {
  const header = buildHeader(tensors, metadata);
  const fh = await open(file, 'wx');
  let pending: Promise<unknown> = Promise.resolve();
  try {
    let position = 0;
    let cur = 0;
    let fill = 0;
    // Hands the filled buffer to the disk and switches to the other one, once that one's earlier write is done.
    const flush = async (): Promise<void> => {
      if (fill === 0) return;
      await pending;
      const len = fill;
      pending = writeAll(fh, buffers[cur], len, position).then(() => {
        progress.done += len;
        progress.report?.({ done: progress.done, total: progress.total, unit: 'bytes' });
      });
      pending.catch(() => undefined); // marks it handled; the next `await pending` still throws
      position += len;
      cur ^= 1;
      fill = 0;
    };
    await writeAll(fh, header, header.length, 0);
    position = header.length;
    for (const t of tensors) {
      throwIfAborted(signal);
      let written = 0;
      const sink: TensorSink = {
        write: async (chunk) => {
          throwIfAborted(signal);
          written += chunk.length;
          if (written > t.byteLength) throw fail('writeLength', `wrote more than ${t.byteLength} bytes`, { file, tensor: t.name });
          for (let at = 0; at < chunk.length; ) {
            const n = Math.min(chunk.length - at, buffers[cur].length - fill);
            buffers[cur].set(chunk.subarray(at, at + n), fill);
            fill += n;
            at += n;
            if (fill === buffers[cur].length) await flush();
          }
        },
      };
      await t.write(sink);
      if (written !== t.byteLength) throw fail('writeLength', `wrote ${written} of ${t.byteLength} bytes`, { file, tensor: t.name });
    }
    await flush();
    await pending;
    await fh.sync();
  } finally {
    await pending.catch(() => undefined); // never close under an in-flight write
    await fh.close();
  }
}

async function writeAll(fh: FileHandle, buf: Uint8Array, len: number, position: number): Promise<void> {
  for (let done = 0; done < len; ) {
    const { bytesWritten } = await fh.write(buf, done, len - done, position + done);
    done += bytesWritten;
  }
}

async function writeSynced(file: string, content: string | Uint8Array): Promise<void> {
  await writeFile(file, content, { flag: 'wx' });
  const fh = await open(file, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } catch {
    // Some file systems refuse fsync on folders; the rename is still atomic there.
  } finally {
    await fh.close();
  }
}

// A shared pool of copy buffers: freshly allocated memory is slow to touch, so reuse them across tensors.
const copyBuffers: Uint8Array[] = [];

/** Streams `ref`'s bytes unchanged (optionally under a new name). */
export function copyTensor(pool: FilePool, ref: TensorRef, name: string = ref.name): OutTensor {
  return {
    name, dtype: ref.dtype, shape: [...ref.shape], byteLength: ref.byteLength,
    async write(sink) {
      const buf = copyBuffers.pop() ?? new Uint8Array(COPY_CHUNK);
      try {
        for await (const chunk of tensorChunks(pool, ref, COPY_CHUNK, buf)) await sink.write(chunk);
      } finally {
        copyBuffers.push(buf);
      }
    },
  };
}

/** A tensor whose bytes are already in memory. */
export function bufferTensor(name: string, dtype: DType, shape: number[], bytes: Uint8Array): OutTensor {
  return { name, dtype, shape, byteLength: bytes.length, write: (sink) => sink.write(bytes) };
}
