// Opening a checkpoint: one .safetensors file, a sharded `*.safetensors.index.json`, or a Hugging Face folder.
// Shard headers are read in parallel; the index and the shards must agree exactly.
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { throwIfAborted } from '../errors';
import { parseIndexFast, type FastIndex } from './jsonScan';
import { readSafetensorsHeader, type SafetensorsHeader } from './reader';
import { fail } from './rules';
import type { CheckpointSource, TensorRef } from './types';

export interface IndexFile {
  /** Absolute path of the index. */
  path: string;
  /** metadata.total_size when present. */
  totalSize: number | null;
  metadata: Record<string, unknown>;
  /** Tensor name → shard file name (relative to the index's folder). */
  weightMap: Map<string, string>;
  /** Distinct shard file names, in natural order (model-00002 before model-00010). */
  shards: string[];
}

export const INDEX_NAME = 'model.safetensors.index.json';
const natural = new Intl.Collator('en', { numeric: true });
// As readFile(…, 'utf8'): invalid bytes become U+FFFD and a BOM is kept (JSON.parse then refuses it). The strict
// decoder is tried first: on valid UTF-8 it is many times faster than the replacing one.
const strictText = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const replacingText = new TextDecoder('utf-8', { ignoreBOM: true });
function decodeIndex(b: Uint8Array): string {
  try {
    return strictText.decode(b);
  } catch {
    return replacingText.decode(b);
  }
}

export async function readIndex(path: string): Promise<IndexFile> {
  const file = resolve(path);
  let text: string;
  let raw: unknown;
  let fast: FastIndex | null = null;
  try {
    text = decodeIndex(await readWhole(file));
    fast = parseIndexFast(text);
    raw = fast ? fast.raw : JSON.parse(text);
  } catch (e) {
    throw fail('indexInvalid', (e as Error).message, { file }, e);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw fail('indexInvalid', 'not a JSON object', { file });
  const { metadata = {}, weight_map: wm } = raw as Record<string, unknown>;
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) throw fail('indexInvalid', 'metadata is not an object', { file });
  if (typeof wm !== 'object' || wm === null || Array.isArray(wm)) throw fail('indexInvalid', 'weight_map is missing or not an object', { file });
  const ts = (metadata as Record<string, unknown>).total_size;
  if (ts !== undefined && (typeof ts !== 'number' || !Number.isSafeInteger(ts) || ts < 0)) {
    throw fail('indexInvalid', `total_size ${JSON.stringify(ts)} is not a non-negative integer`, { file, key: 'metadata.total_size' });
  }
  // The index must not reach outside its folder (an index is input we do not trust): checked once per shard.
  const checkShard = (shard: string, name: string): void => {
    if (shard === '' || isAbsolute(shard) || shard.split(/[\\/]/).some((p) => p === '..')) {
      throw fail('indexShardPath', JSON.stringify(shard), { file, tensor: name });
    }
  };
  let weightMap: Map<string, string>;
  let shards: string[];
  if (fast) {
    // Same order as the loop below would see: no duplicate or integer-like names reach here.
    for (const [shard, name] of fast.shards) checkShard(shard, name);
    weightMap = fast.weightMap;
    shards = [...fast.shards.keys()];
  } else {
    weightMap = new Map<string, string>();
    const seen = new Set<string>();
    const map = wm as Record<string, unknown>;
    let last: string | undefined;
    for (const name in map) {
      const shard = map[name];
      if (typeof shard !== 'string') throw fail('indexInvalid', `shard of ${name} is not a string`, { file, tensor: name });
      // Names are sorted, so a shard usually repeats the previous entry's and the set lookup is skipped.
      if (shard !== last && !seen.has(shard)) {
        checkShard(shard, name);
        seen.add(shard);
      }
      last = shard;
      weightMap.set(name, shard);
    }
    shards = [...seen];
  }
  return { path: file, totalSize: ts ?? null, metadata: metadata as Record<string, unknown>, weightMap, shards: shards.sort(natural.compare) };
}

/** A whole small file in one buffer: one stat, one positioned read (no chunk list to concatenate). */
async function readWhole(file: string): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    let buf = Buffer.allocUnsafe(size + 1);
    let done = 0;
    for (;;) {
      if (done === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger);
        buf = bigger;
      }
      const { bytesRead } = await fh.read(buf, done, buf.length - done, done);
      if (bytesRead === 0) return buf.subarray(0, done);
      done += bytesRead;
    }
  } finally {
    await fh.close();
  }
}

export async function openCheckpoint(path: string, opts: { signal?: AbortSignal } = {}): Promise<CheckpointSource> {
  const root = resolve(path);
  let st;
  try {
    st = await stat(root);
  } catch (e) {
    throw fail('notSafetensors', `cannot open: ${(e as NodeJS.ErrnoException).code ?? e}`, { file: root }, e);
  }
  if (st.isDirectory()) {
    const names = (await readdir(root)).filter((n) => !n.startsWith('.'));
    const indexes = names.includes(INDEX_NAME) ? [INDEX_NAME] : names.filter((n) => n.endsWith('.safetensors.index.json'));
    if (indexes.length === 1) return fromIndex(root, 'folder', join(root, indexes[0]), opts.signal);
    const files = names.filter((n) => n.endsWith('.safetensors')).sort(natural.compare).map((n) => join(root, n));
    if (files.length === 0) throw fail('noSafetensors', 'no .safetensors file in the folder', { file: root });
    return fromFiles(root, 'folder', files, root, opts.signal);
  }
  if (root.endsWith('.index.json')) return fromIndex(root, 'index', root, opts.signal);
  if (root.endsWith('.safetensors') || st.isFile()) return fromFiles(root, 'file', [root], dirname(root), opts.signal);
  throw fail('notSafetensors', 'not a regular file or folder', { file: root });
}

async function readConfig(folder: string): Promise<Record<string, unknown> | null> {
  const file = join(folder, 'config.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw fail('badConfig', `cannot read: ${(e as Error).message}`, { file }, e);
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw fail('badConfig', (e as Error).message, { file }, e);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw fail('badConfig', 'not an object', { file });
  return v as Record<string, unknown>;
}

// Shard headers are read a few at a time: enough to overlap I/O with parsing, few enough that the read buffers
// are reused rather than allocated per shard.
const READ_CONCURRENCY = 8;

async function readHeaders(files: string[], signal?: AbortSignal): Promise<SafetensorsHeader[]> {
  const headers: SafetensorsHeader[] = new Array(files.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (next < files.length && !failed) {
      const i = next++;
      try {
        headers[i] = await readSafetensorsHeader(files[i], { signal });
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, files.length) }, worker));
  throwIfAborted(signal);
  return headers;
}

function assemble(root: string, kind: CheckpointSource['kind'], headers: SafetensorsHeader[], config: CheckpointSource['config']): CheckpointSource {
  const tensors = new Map<string, TensorRef>();
  const metadata = new Map<string, Record<string, string>>();
  let totalBytes = 0;
  for (const h of headers) {
    metadata.set(h.file, h.metadata);
    for (const t of h.tensors) {
      // One hash lookup per tensor: a name already present leaves the size unchanged (then find where it was).
      const size = tensors.size;
      tensors.set(t.name, t);
      if (tensors.size === size) {
        const prev = headers.flatMap((x) => x.tensors).find((x) => x.name === t.name)!;
        throw fail('duplicateAcrossFiles', `in ${basename(prev.file)} and ${basename(t.file)}`, { file: t.file, tensor: t.name });
      }
      totalBytes += t.byteLength;
    }
  }
  return { root, kind, config, tensors, files: headers.map((h) => h.file), metadata, totalBytes };
}

async function fromFiles(root: string, kind: CheckpointSource['kind'], files: string[], configDir: string, signal?: AbortSignal): Promise<CheckpointSource> {
  const [headers, config] = await Promise.all([readHeaders(files, signal), readConfig(configDir)]);
  return assemble(root, kind, headers, config);
}

async function fromIndex(root: string, kind: CheckpointSource['kind'], indexPath: string, signal?: AbortSignal): Promise<CheckpointSource> {
  const index = await readIndex(indexPath);
  const dir = dirname(index.path);
  const files = index.shards.map((s) => join(dir, s));
  await Promise.all(files.map(async (f, i) => {
    try {
      if (!(await stat(f)).isFile()) throw new Error('not a file');
    } catch (e) {
      throw fail('indexMissingShard', JSON.stringify(index.shards[i]), { file: index.path, key: f }, e);
    }
  }));
  const [headers, config] = await Promise.all([readHeaders(files, signal), readConfig(dir)]);
  const source = assemble(root, kind, headers, config);
  headers.forEach((h, i) => {
    const shard = index.shards[i];
    for (const t of h.tensors) {
      const mapped = index.weightMap.get(t.name);
      if (mapped === undefined) throw fail('indexExtraTensor', `not in the index`, { file: h.file, tensor: t.name });
      if (mapped !== shard) throw fail('indexExtraTensor', `index maps it to ${mapped}, found in ${shard}`, { file: h.file, tensor: t.name });
    }
  });
  if (source.tensors.size !== index.weightMap.size) {
    for (const [name, shard] of index.weightMap) {
      if (!source.tensors.has(name)) throw fail('indexTensorMissing', `not found in ${shard}`, { file: join(dir, shard), tensor: name });
    }
  }
  if (index.totalSize !== null && index.totalSize !== source.totalBytes) {
    throw fail('indexTotalSize', `index says ${index.totalSize}, tensors hold ${source.totalBytes} bytes`, { file: index.path, key: 'metadata.total_size' });
  }
  return source;
}
