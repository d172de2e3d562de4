// One train step (forward, backward, clipping, AdamW in one ONNX graph) of the TARGETS.md MoE — 4 layers, hidden
// 256, 4 heads, 8 experts top-2 of 512, vocab 256, seq 256, batch 8 — in tokens/s, against the same step in
// PyTorch CPU (bench/train_torch.py: per-expert loop and all-experts variants, same thread count) and peak RSS.
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { makeTinyMoe } from '../src/core/model/index';
import { TrainStepRunner } from '../src/engine/model/runner';
import { ADAMW_DEFAULTS } from '../src/engine/model/adamw';
import { loadModel } from '../src/train/model';
import { BENCH_DATA, median, report, timeProcess } from './util';

const THREADS = Number(process.env.GRAFT_BENCH_THREADS ?? 2);
const STEPS = Number(process.env.GRAFT_BENCH_STEPS ?? 5);
const B = 8;
const T = 256;

async function main(): Promise<void> {
  const dir = join(BENCH_DATA, 'train-moe-256');
  if (!existsSync(join(dir, 'config.json'))) {
    await makeTinyMoe(dir, { family: 'mixtral', layers: 4, hidden: 256, heads: 4, kvHeads: 4, experts: 8, topK: 2, intermediate: 512, vocab: 256 });
  }
  const model = await loadModel(dir);
  const rows: Record<string, string | number>[] = [];
  const ours: Record<string, number> = {};
  for (const dispatch of ['sparse', 'dense'] as const) {
    const runner = await TrainStepRunner.create(model.cfg, { batch: B, seq: T, dispatch }, ADAMW_DEFAULTS, { threads: THREADS });
    runner.setState({ params: model.params.map((p) => p.slice()), m: model.params.map((p) => new Float32Array(p.length)), v: model.params.map((p) => new Float32Array(p.length)) });
    const times: number[] = [];
    for (let s = 0; s <= STEPS; s++) {
      const tokens = BigInt64Array.from({ length: B * (T + 1) }, (_, i) => BigInt((i * 7919 + s * 131) % 256));
      const t0 = performance.now();
      await runner.step(tokens, 1e-4, s + 1);
      if (s > 0) times.push((performance.now() - t0) / 1000);
    }
    await runner.dispose();
    ours[dispatch] = (B * T) / median(times);
    rows.push({ what: `graft ONNX train step (${dispatch} dispatch)`, 'tokens/s': Math.round(ours[dispatch]), threads: THREADS });
  }
  const torch = timeProcess('/usr/bin/python3', [join(__dirname, 'train_torch.py'), String(THREADS), String(STEPS)]);
  const pt = JSON.parse(torch.stdout.trim().split('\n').pop()!) as { tokens_per_s: { loop: number; all: number } };
  rows.push({ what: 'PyTorch CPU, per-expert loop', 'tokens/s': Math.round(pt.tokens_per_s.loop), threads: THREADS });
  rows.push({ what: 'PyTorch CPU, all experts', 'tokens/s': Math.round(pt.tokens_per_s.all), threads: THREADS });
  const best = Math.max(pt.tokens_per_s.loop, pt.tokens_per_s.all);
  rows.push({ what: 'ratio graft best / PyTorch best (target >= 1.0)', 'tokens/s': (Math.max(ours.sparse, ours.dense) / best).toFixed(2), threads: THREADS });
  rows.push({ what: `peak RSS MiB: graft ${Math.round(process.resourceUsage().maxRSS / 1024)}, PyTorch ${Math.round(torch.peakRssMiB)}`, 'tokens/s': '', threads: THREADS });
  report(rows);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
