// Norm profile throughput: `graft norms` (ORT statistics, no cache) vs `cat > /dev/null` of the same files and a
// PyTorch script computing the same statistics, on a ≈2 GB bf16 Mixtral-layout checkpoint; peak RSS of each;
// warm page cache, and cold when the page cache can be dropped (root). Also the cached reopen.
import { existsSync, readdirSync, statSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { makeTinyMoe } from '../src/core/model/tinyMoe';
import { BENCH_DATA, dropCaches, median, report, timeProcess } from './util';

const DIR = join(BENCH_DATA, 'mixtral-bf16-2g');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

async function ensureData(): Promise<void> {
  if (existsSync(join(DIR, 'config.json'))) return;
  console.log(`writing ${DIR} (16 layers, hidden 1024, 8 experts of 2048, bf16)…`);
  await makeTinyMoe(DIR, { family: 'mixtral', layers: 16, hidden: 1024, intermediate: 2048, experts: 8, topK: 2, heads: 16, kvHeads: 8, vocab: 32000, dtype: 'BF16', shardBytes: 500_000_000 });
}

async function main(): Promise<void> {
  await ensureData();
  const files = readdirSync(DIR).filter((f) => f.endsWith('.safetensors')).map((f) => join(DIR, f));
  const bytes = files.reduce((s, f) => s + statSync(f).size, 0);
  const cacheHome = mkdtempSync(join(tmpdir(), 'graft-bench-xdg-'));
  const env = { GRAFT_FROM_SOURCE: '1', XDG_CACHE_HOME: cacheHome };
  const graft = (extra: string[]) => timeProcess(process.execPath, ['bin/graft.js', 'norms', DIR, '--json', ...extra], env);
  const cat = () => timeProcess('sh', ['-c', `cat ${files.map((f) => `'${f}'`).join(' ')} > /dev/null`]);
  const torchThreads = process.env.TORCH_THREADS ?? '2';
  const torch = () => timeProcess('/usr/bin/python3', ['bench/norms_torch.py', DIR, torchThreads]);
  const rows: Record<string, string | number>[] = [];
  const measure = (name: string, f: () => ReturnType<typeof cat>, cold: boolean) => {
    const secs: number[] = [];
    let rss = 0;
    for (let i = 0; i < RUNS; i++) {
      if (cold && !dropCaches()) return undefined;
      const r = f();
      secs.push(r.seconds);
      rss = Math.max(rss, r.peakRssMiB);
    }
    const s = median(secs);
    const row = { case: `${name} (${cold ? 'cold' : 'warm'})`, seconds: +s.toFixed(3), 'GB/s': +(bytes / s / 1e9).toFixed(3), 'peak RSS MiB': +rss.toFixed(0) };
    rows.push(row);
    return row;
  };
  cat(); // warm the page cache
  for (const cold of [false, true]) {
    const c = measure('cat > /dev/null', cat, cold);
    if (!c) { console.log('cold runs skipped: cannot drop the page cache (needs root)'); break; }
    const g = measure('graft norms --no-cache (cpu)', () => graft(['--no-cache']), cold)!;
    const t = measure(`PyTorch script (${torchThreads} threads)`, torch, cold)!;
    rows.push({ case: `ratios (${cold ? 'cold' : 'warm'})`, 'graft / cat': +(g['GB/s'] / c['GB/s']).toFixed(3), 'graft / PyTorch': +(g['GB/s'] / t['GB/s']).toFixed(2) } as Record<string, string | number>);
  }
  graft([]); // fill the cache
  measure('graft norms, cached reopen', () => graft([]), false);
  console.log(`data: ${DIR}, ${(bytes / 1e9).toFixed(2)} GB in ${files.length} files, ${RUNS} runs each (median)`);
  report(rows);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
