// Graft's settings (package.json contributes.configuration), read where they are used so changes apply at once.
import * as vscode from 'vscode';

export type ExecutionProvider = 'auto' | 'cpu' | 'webgpu' | 'cuda';

export interface GraftSettings {
  executionProvider: ExecutionProvider;
  /** 0: as many as the machine has. */
  threads: number;
  /** Output shard size in bytes. */
  outputShardBytes: number;
  defaultNoiseAlpha: number;
  seed: number;
}

export function settings(): GraftSettings {
  const c = vscode.workspace.getConfiguration('graft');
  return {
    executionProvider: c.get<ExecutionProvider>('executionProvider', 'auto'),
    threads: Math.max(0, Math.floor(c.get<number>('threads', 0))),
    outputShardBytes: parseSize(c.get<string>('outputShardSize', '5GB')) ?? 5e9,
    defaultNoiseAlpha: c.get<number>('defaultNoiseAlpha', 0.01),
    seed: Math.max(0, Math.floor(c.get<number>('seed', 0))),
  };
}

/** "5GB" → 5e9, "500MB" → 5e8, "2GiB" → 2·2^30, "1000000" → 1e6; undefined when unreadable. */
export function parseSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(|B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = m[2].toLowerCase();
  const scale: Record<string, number> = { '': 1, b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40 };
  const bytes = Math.round(Number(m[1]) * scale[unit]);
  return bytes > 0 ? bytes : undefined;
}
