// Per-file cache of tensor statistics, keyed by path, size, mtime and a hash of the safetensors header, so that
// reopening a 100 GB checkpoint costs one header read per shard. Entries are plain JSON written atomically
// (temp file + rename); anything unreadable or of another shape is ignored and recomputed.
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TensorStatsEntry } from '../../core/stats/types';

const FORMAT = 'graft-stats-v1';

export interface FileKey {
  path: string;
  size: number;
  mtimeMs: number;
  /** sha256 of the 8-byte length prefix and the JSON header. */
  headerHash: string;
}

export interface CachedFile {
  key: FileKey;
  provider: string;
  fallbackReason?: string;
  tensors: TensorStatsEntry[];
}

/** `$XDG_CACHE_HOME/graft/stats`, else `~/.cache/graft/stats`. */
export function defaultStatsCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.length ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(base, 'graft', 'stats');
}

export async function fileKey(file: string): Promise<FileKey> {
  const path = resolve(file);
  const st = await stat(path);
  const fh = await open(path, 'r');
  try {
    const prefix = Buffer.alloc(8);
    await fh.read(prefix, 0, 8, 0);
    const n = Number(prefix.readBigUInt64LE(0));
    const len = Math.max(0, Math.min(n, st.size - 8, 100_000_000));
    const header = Buffer.alloc(len);
    if (len) await fh.read(header, 0, len, 8);
    const headerHash = createHash('sha256').update(prefix).update(header).digest('hex');
    return { path, size: st.size, mtimeMs: st.mtimeMs, headerHash };
  } finally {
    await fh.close();
  }
}

function sameKey(a: FileKey, b: unknown): boolean {
  const k = b as Partial<FileKey> | null;
  return !!k && k.path === a.path && k.size === a.size && k.mtimeMs === a.mtimeMs && k.headerHash === a.headerHash;
}

function isEntry(e: unknown): e is TensorStatsEntry {
  const t = e as Partial<TensorStatsEntry> | null;
  return !!t && typeof t.name === 'string' && typeof t.dtype === 'string' && Array.isArray(t.shape)
    && !!t.stats && typeof t.stats === 'object' && typeof t.stats.numel === 'number' && typeof t.stats.count === 'number'
    && (t.slices === undefined || Array.isArray(t.slices));
}

export class StatsCache {
  readonly dir: string;
  constructor(dir: string = defaultStatsCacheDir()) {
    this.dir = resolve(dir);
  }

  private entryPath(key: FileKey): string {
    return join(this.dir, `${createHash('sha256').update(key.path).digest('hex').slice(0, 32)}.json`);
  }

  /** The cached statistics of a file, or undefined when absent, stale or corrupt. */
  async get(key: FileKey): Promise<CachedFile | undefined> {
    let text: string;
    try {
      text = await readFile(this.entryPath(key), 'utf8');
    } catch {
      return undefined;
    }
    try {
      const j = JSON.parse(text) as Record<string, unknown>;
      if (j.format !== FORMAT || !sameKey(key, j.key) || typeof j.provider !== 'string' || !Array.isArray(j.tensors)) return undefined;
      if (!j.tensors.every(isEntry)) return undefined;
      return { key, provider: j.provider, tensors: j.tensors, ...(typeof j.fallbackReason === 'string' ? { fallbackReason: j.fallbackReason } : {}) };
    } catch {
      return undefined;
    }
  }

  /** Stores a file's statistics; a cache that cannot be written is not an error (the result is still correct). */
  async put(entry: CachedFile): Promise<boolean> {
    const path = this.entryPath(entry.key);
    const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
    try {
      await mkdir(this.dir, { recursive: true });
      await writeFile(tmp, JSON.stringify({ format: FORMAT, ...entry }));
      await rename(tmp, path);
      return true;
    } catch {
      return false;
    }
  }
}
