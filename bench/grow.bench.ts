// Growth throughput (TARGETS.md): interposition ×2 and expert duplication ×2 with α = 0.01 on a ≥ 2 GB bf16
// Mixtral-layout checkpoint, output bytes/s against `cp -r` of the same bytes and the PyTorch script
// (bench/grow_torch.py) in the same run, plus peak RSS of each process.
import { existsSync, rmSync, statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeTinyMoe } from '../src/core/model/tinyMoe';
import { BENCH_DATA, median, report, timeProcess } from './util';

const SRC = join(BENCH_DATA, 'grow-mixtral-bf16');
const OUT = join(BENCH_DATA, 'grow-out');
const REPS = Number(process.env.BENCH_REPS ?? 3);
// BENCH_ONLY=experts: just the expert-duplication rows (graft, graft with one noise thread, torch).
const ONLY = process.env.BENCH_ONLY ?? '';

function dirBytes(d: string): number {
  return readdirSync(d).reduce((s, f) => {
    const st = statSync(join(d, f));
    return s + (st.isDirectory() ? dirBytes(join(d, f)) : st.size);
  }, 0);
}

async function main(): Promise<void> {
  if (!existsSync(join(SRC, 'config.json'))) {
    console.log(`generating ${SRC} (once) …`);
    // 16 layers, hidden 1024, 8 experts of 2048 (TARGETS.md), vocab 32000: ≈ 2.1 GB in bf16.
    await makeTinyMoe(SRC, { family: 'mixtral', dtype: 'BF16', layers: 16, hidden: 1024, intermediate: 2048, experts: 8, heads: 16, kvHeads: 4, vocab: 32000, shardBytes: 1e9 });
  }
  const srcBytes = dirBytes(SRC);
  const rows: Record<string, string | number>[] = [];
  const run = (label: string, cmd: string, args: string[], env: NodeJS.ProcessEnv = {}) => {
    const times: number[] = [];
    let rss = 0;
    let outBytes = 0;
    for (let i = 0; i < REPS; i++) {
      rmSync(OUT, { recursive: true, force: true });
      const r = timeProcess(cmd, args, env);
      times.push(r.seconds);
      rss = Math.max(rss, r.peakRssMiB);
      outBytes = dirBytes(OUT);
    }
    const s = median(times);
    rows.push({ what: label, seconds: +s.toFixed(2), 'out GB': +(outBytes / 1e9).toFixed(2), 'GB/s': +(outBytes / 1e9 / s).toFixed(3), 'peak RSS MiB': Math.round(rss) });
    return outBytes / s;
  };
  const graft = ['bin/graft.js'];
  const env = {}; // the bundled CLI (npm run bench builds it first), as users run it
  let cp = NaN, gi = NaN, ti = NaN;
  if (ONLY !== 'experts') {
    // cp -r of the same bytes as the interposition output: the source copied twice.
    cp = run('cp -r (source, twice)', 'sh', ['-c', `mkdir -p ${OUT} && cp -r ${SRC} ${OUT}/a && cp -r ${SRC} ${OUT}/b && sync`]);
    gi = run('graft interposition ×2', process.execPath, [...graft, 'grow', 'depth', '--method', 'interposition', SRC, '-o', OUT], env);
    ti = run('torch interposition ×2', '/usr/bin/python3', ['bench/grow_torch.py', 'interposition', SRC, OUT]);
  }
  const ge = run('graft experts ×2 α=0.01', process.execPath, [...graft, 'grow', 'experts', '--alpha', '0.01', SRC, '-o', OUT], env);
  const ge1 = run('graft experts ×2 α=0.01, 1 noise thread', process.execPath, [...graft, 'grow', 'experts', '--alpha', '0.01', SRC, '-o', OUT], { ...env, GRAFT_NOISE_THREADS: '1' });
  const te = run('torch experts ×2 α=0.01', '/usr/bin/python3', ['bench/grow_torch.py', 'experts', SRC, OUT, '0.01']);
  rmSync(OUT, { recursive: true, force: true });
  report(rows);
  console.log(`source ${(srcBytes / 1e9).toFixed(2)} GB; torch uses its default threads (${process.env.OMP_NUM_THREADS ?? 'all cores'})`);
  if (ONLY !== 'experts') console.log(`interposition: ${(gi / cp).toFixed(2)}× cp (target ≥ 0.7), ${(gi / ti).toFixed(2)}× torch (target ≥ 4)`);
  console.log(`experts α=0.01: ${(ge / te).toFixed(2)}× torch (target ≥ 5); with one noise thread ${(ge1 / te).toFixed(2)}×`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
