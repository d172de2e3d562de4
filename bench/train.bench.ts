// One train step (forward, backward, clipping, AdamW in one ONNX graph) of the TARGETS.md MoE — 4 layers, hidden
// 256, 4 heads, 8 experts top-2 of 512, vocab 256, seq 256, batch 8 — in tokens/s, against the same step in
// PyTorch CPU (bench/train_torch.py: per-expert loop and all-experts variants, same thread count: torch.set_num_threads
// and OMP/OPENBLAS/MKL_NUM_THREADS) and peak RSS. Also reports graph build and session creation seconds, the first
// step, and CPU seconds per warm step (all threads; the shared bench machines are often loaded, so wall time alone
// misleads). Time-capped: GRAFT_BENCH_STEPS warm steps (default 5) or GRAFT_BENCH_SECONDS (default 40) per variant,
// whichever comes first. GRAFT_BENCH_DISPATCH=sparse,dense picks our variants; GRAFT_BENCH_TORCH=0 skips PyTorch.
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { makeTinyMoe } from '../src/core/model/index';
import { TrainStepRunner } from '../src/engine/model/runner';
import { ADAMW_DEFAULTS } from '../src/engine/model/adamw';
import { loadModel } from '../src/train/model';
import { BENCH_DATA, median, report, timeProcess } from './util';

const THREADS = Number(process.env.GRAFT_BENCH_THREADS ?? 2);
const STEPS = Number(process.env.GRAFT_BENCH_STEPS ?? 5);
const SECONDS = Number(process.env.GRAFT_BENCH_SECONDS ?? 40);
const DISPATCH = (process.env.GRAFT_BENCH_DISPATCH ?? 'sparse,dense').split(',') as ('sparse' | 'dense')[];
const B = 8;
const T = 256;

const cpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

async function main(): Promise<void> {
  const dir = join(BENCH_DATA, 'train-moe-256');
  if (!existsSync(join(dir, 'config.json'))) {
    await makeTinyMoe(dir, { family: 'mixtral', layers: 4, hidden: 256, heads: 4, kvHeads: 4, experts: 8, topK: 2, intermediate: 512, vocab: 256 });
  }
  const model = await loadModel(dir);
  const rows: Record<string, string | number>[] = [];
  const ours: Record<string, number> = {};
  for (const dispatch of DISPATCH) {
    const c0 = cpuSeconds();
    const runner = await TrainStepRunner.create(model.cfg, { batch: B, seq: T, dispatch }, ADAMW_DEFAULTS, { threads: THREADS });
    const createCpu = cpuSeconds() - c0;
    runner.setState({ params: model.params, m: model.params.map((p) => new Float32Array(p.length)), v: model.params.map((p) => new Float32Array(p.length)) });
    const times: number[] = [];
    const cpus: number[] = [];
    let first = 0;
    const start = performance.now();
    for (let s = 0; s <= STEPS; s++) {
      const tokens = BigInt64Array.from({ length: B * (T + 1) }, (_, i) => BigInt((i * 7919 + s * 131) % 256));
      const t0 = performance.now();
      const c = cpuSeconds();
      await runner.step(tokens, 1e-4, s + 1);
      const dt = (performance.now() - t0) / 1000;
      if (s === 0) first = dt;
      else {
        times.push(dt);
        cpus.push(cpuSeconds() - c);
      }
      if (s >= 1 && (performance.now() - start) / 1000 > SECONDS) break;
    }
    await runner.dispose();
    ours[dispatch] = (B * T) / median(times);
    rows.push({
      what: `graft ONNX train step (${dispatch} dispatch)`, 'tokens/s': Math.round(ours[dispatch]), 'step s': median(times).toFixed(3),
      'cpu s/step': median(cpus).toFixed(2), steps: times.length, threads: THREADS,
      notes: `${runner.nodeCount} nodes; build ${runner.timings.buildS.toFixed(2)} s + session ${runner.timings.createS.toFixed(2)} s (cpu ${createCpu.toFixed(2)} s); first step ${first.toFixed(2)} s`,
    });
  }
  const rssOurs = Math.round(process.resourceUsage().maxRSS / 1024);
  if (process.env.GRAFT_BENCH_TORCH !== '0') {
    const torch = timeProcess('/usr/bin/python3', [join(__dirname, 'train_torch.py'), String(THREADS), String(STEPS), String(SECONDS)]);
    const pt = JSON.parse(torch.stdout.trim().split('\n').pop()!) as { tokens_per_s: { loop: number; all: number }; cpu_s_per_step: { loop: number; all: number }; steps: { loop: number; all: number } };
    for (const [k, label] of [['loop', 'per-expert loop'], ['all', 'all experts']] as const) {
      rows.push({ what: `PyTorch CPU, ${label}`, 'tokens/s': Math.round(pt.tokens_per_s[k]), 'step s': ((B * T) / pt.tokens_per_s[k]).toFixed(3), 'cpu s/step': pt.cpu_s_per_step[k].toFixed(2), steps: pt.steps[k], threads: THREADS, notes: 'torch.set_num_threads + OMP/OPENBLAS/MKL_NUM_THREADS' });
    }
    const best = Math.max(pt.tokens_per_s.loop, pt.tokens_per_s.all);
    rows.push({ what: 'ratio graft best / PyTorch best (target >= 1.0)', 'tokens/s': (Math.max(...Object.values(ours)) / best).toFixed(2), 'step s': '', 'cpu s/step': '', steps: '', threads: THREADS, notes: '' });
    rows.push({ what: `peak RSS MiB: graft ${rssOurs}, PyTorch ${Math.round(torch.peakRssMiB)}`, 'tokens/s': '', 'step s': '', 'cpu s/step': '', steps: '', threads: THREADS, notes: '' });
  } else {
    rows.push({ what: `peak RSS MiB: graft ${rssOurs}`, 'tokens/s': '', 'step s': '', 'cpu s/step': '', steps: '', threads: THREADS, notes: '' });
  }
  report(rows);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
