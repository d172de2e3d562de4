// Norm profile throughput: `graft norms` (ORT statistics, no cache) vs `cat > /dev/null` of the same files and a
// PyTorch script computing the same statistics, on a ≈2 GB bf16 Mixtral-layout checkpoint; peak RSS of each;
// warm page cache, and cold when the page cache can be dropped (root). Also the cached reopen.
//
// The machine this runs on is often shared, so besides whole-process wall time each row gives the process's CPU
// time (user + system, from /usr/bin/time) and the rate per CPU-second, and graft's own in-process seconds
// (`run.seconds`: the statistics without node/tsx start-up). Ratios are taken within the same run.
// The PyTorch script is capped at TORCH_MAX_SECONDS (default 120) per run so the benchmark always finishes; a
// capped run reports its rate on the tensors it finished (marked "subset").
// Env: BENCH_RUNS (3), TORCH_THREADS (2), TORCH_MAX_SECONDS (120).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { makeTinyMoe } from '../src/core/model/tinyMoe';
import { BENCH_DATA, dropCaches, median, report } from './util';

const DIR = join(BENCH_DATA, 'mixtral-bf16-2g');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

async function ensureData(): Promise<void> {
  if (existsSync(join(DIR, 'config.json'))) return;
  console.log(`writing ${DIR} (16 layers, hidden 1024, 8 experts of 2048, bf16)…`);
  await makeTinyMoe(DIR, { family: 'mixtral', layers: 16, hidden: 1024, intermediate: 2048, experts: 8, topK: 2, heads: 16, kvHeads: 8, vocab: 32000, dtype: 'BF16', shardBytes: 500_000_000 });
}

interface Timed {
  wall: number;
  /** user + system CPU seconds of the process and its children (NaN without /usr/bin/time). */
  cpu: number;
  rssMiB: number;
  stdout: string;
}

const hasTime = spawnSync('sh', ['-c', 'command -v /usr/bin/time']).status === 0;

function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Timed {
  const t0 = process.hrtime.bigint();
  const r = hasTime
    ? spawnSync('/usr/bin/time', ['-v', cmd, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 1 << 28 })
    : spawnSync(cmd, args, { env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 1 << 28 });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  const num = (re: RegExp) => Number(re.exec(r.stderr ?? '')?.[1] ?? NaN);
  const cpu = num(/User time \(seconds\): ([\d.]+)/) + num(/System time \(seconds\): ([\d.]+)/);
  return { wall, cpu, rssMiB: num(/Maximum resident set size \(kbytes\): (\d+)/) / 1024, stdout: r.stdout };
}

interface Sample {
  wall: number;
  cpu: number;
  rssMiB: number;
  /** Bytes the run processed (a capped PyTorch run: fewer than the checkpoint). */
  bytes: number;
  /** Seconds of the work itself as the process reports it (graft: run.seconds), else the wall time. */
  inner: number;
  subset?: boolean;
}

interface Row {
  name: string;
  gbs: number;
  cpuGbs: number;
  innerGbs: number;
}

async function main(): Promise<void> {
  await ensureData();
  const files = readdirSync(DIR).filter((f) => f.endsWith('.safetensors')).map((f) => join(DIR, f));
  const bytes = files.reduce((s, f) => s + statSync(f).size, 0);
  const cacheHome = mkdtempSync(join(tmpdir(), 'graft-bench-xdg-'));
  const env = { XDG_CACHE_HOME: cacheHome }; // the bundled CLI, as users run it
  const graft = (extra: string[]): Sample => {
    const r = timed(process.execPath, ['bin/graft.js', 'norms', DIR, '--json', ...extra], env);
    const run = (JSON.parse(r.stdout) as { run: { bytesRead: number; seconds: number } }).run;
    // A cached reopen reads no tensor bytes: rate it on the checkpoint's size.
    return { wall: r.wall, cpu: r.cpu, rssMiB: r.rssMiB, bytes: run.bytesRead || bytes, inner: run.seconds };
  };
  const cat = (): Sample => {
    const r = timed('sh', ['-c', `cat ${files.map((f) => `'${f}'`).join(' ')} > /dev/null`]);
    return { ...r, bytes, inner: r.wall };
  };
  const torchThreads = process.env.TORCH_THREADS ?? '2';
  const torchCap = process.env.TORCH_MAX_SECONDS ?? '120';
  const torch = (): Sample => {
    const r = timed('/usr/bin/python3', ['bench/norms_torch.py', DIR, torchThreads, torchCap]);
    const j = JSON.parse(r.stdout) as { bytes: number; complete: boolean; seconds: number };
    return { wall: r.wall, cpu: r.cpu, rssMiB: r.rssMiB, bytes: j.bytes, inner: j.seconds, ...(j.complete ? {} : { subset: true }) };
  };
  const rows: Record<string, string | number>[] = [];
  const measure = (name: string, f: () => Sample, cold: boolean): Row | undefined => {
    const samples: Sample[] = [];
    for (let i = 0; i < RUNS; i++) {
      if (cold && !dropCaches()) return undefined;
      samples.push(f());
    }
    // Medians of the rates (a capped run's bytes differ from run to run).
    const gbs = median(samples.map((s) => s.bytes / s.wall / 1e9));
    const cpuGbs = median(samples.map((s) => s.bytes / s.cpu / 1e9));
    const innerGbs = median(samples.map((s) => s.bytes / s.inner / 1e9));
    const subset = samples.some((s) => s.subset);
    rows.push({
      case: `${name} (${cold ? 'cold' : 'warm'})${subset ? ' [subset: time cap]' : ''}`,
      'wall s': +median(samples.map((s) => s.wall)).toFixed(3),
      'GB/s': +gbs.toFixed(3),
      'CPU s': +median(samples.map((s) => s.cpu)).toFixed(3),
      'GB/CPU-s': +cpuGbs.toFixed(3),
      'GB/s in-process': +innerGbs.toFixed(3),
      'GB done': +median(samples.map((s) => s.bytes / 1e9)).toFixed(3),
      'peak RSS MiB': +Math.max(...samples.map((s) => s.rssMiB)).toFixed(0),
    });
    return { name, gbs, cpuGbs, innerGbs };
  };
  cat(); // warm the page cache
  for (const cold of [false, true]) {
    const c = measure('cat > /dev/null', cat, cold);
    if (!c) { console.log('cold runs skipped: cannot drop the page cache (needs root)'); break; }
    const g = measure('graft norms --no-cache (cpu)', () => graft(['--no-cache']), cold)!;
    const t = measure(`PyTorch script (${torchThreads} threads)`, torch, cold)!;
    rows.push({
      case: `ratios (${cold ? 'cold' : 'warm'})`,
      'graft / cat': +(g.gbs / c.gbs).toFixed(3),
      'graft / PyTorch': +(g.gbs / t.gbs).toFixed(2),
      'graft / PyTorch per CPU-s': +(g.cpuGbs / t.cpuGbs).toFixed(2),
      'graft / PyTorch in-process': +(g.innerGbs / t.innerGbs).toFixed(2),
    });
  }
  graft([]); // fill the cache
  measure('graft norms, cached reopen', () => graft([]), false);
  console.log(`data: ${DIR}, ${(bytes / 1e9).toFixed(2)} GB in ${files.length} files, ${RUNS} runs each (median); load average ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  report(rows);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
