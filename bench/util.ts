// Shared helpers for benchmarks: timing, medians, peak RSS of child processes, page-cache state.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const BENCH_DATA = join(process.cwd(), 'bench-data');
mkdirSync(BENCH_DATA, { recursive: true });

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export interface ProcResult {
  seconds: number;
  /** Peak resident set size in MiB (GNU time's "Maximum resident set size"). */
  peakRssMiB: number;
  stdout: string;
}

/** Runs a command under /usr/bin/time -v (falls back to wall time alone) and reports wall seconds and peak RSS. */
export function timeProcess(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): ProcResult {
  const hasTime = spawnSync('/usr/bin/time', ['-V']).status !== null && spawnSync('sh', ['-c', 'command -v /usr/bin/time']).status === 0;
  const t0 = process.hrtime.bigint();
  const r = hasTime
    ? spawnSync('/usr/bin/time', ['-v', cmd, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 1 << 28 })
    : spawnSync(cmd, args, { env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 1 << 28 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr ?? '');
  return { seconds, peakRssMiB: m ? Number(m[1]) / 1024 : NaN, stdout: r.stdout };
}

/** Drops the page cache when permitted (root); returns whether it did. */
export function dropCaches(): boolean {
  return spawnSync('sh', ['-c', 'sync && echo 3 > /proc/sys/vm/drop_caches'], { stdio: 'ignore' }).status === 0;
}

export function report(rows: Record<string, string | number>[]): void {
  console.table(rows);
}
